CREATE TABLE box (id integer PRIMARY KEY, w integer, h integer, area integer GENERATED ALWAYS AS (w * h) STORED);
CREATE TABLE box2 (id integer PRIMARY KEY, w integer, double_w integer);
