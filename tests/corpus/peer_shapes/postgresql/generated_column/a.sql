CREATE TABLE box (id integer PRIMARY KEY, w integer, h integer, area integer);
CREATE TABLE box2 (id integer PRIMARY KEY, w integer, double_w integer GENERATED ALWAYS AS (w * 2) STORED);
