CREATE TABLE rect (id integer PRIMARY KEY, w integer, h integer, area integer GENERATED ALWAYS AS (w * h * 2) STORED,
    CONSTRAINT rect_u UNIQUE (area), CONSTRAINT rect_pos CHECK (area >= 0));
CREATE INDEX rect_area ON rect (area);
CREATE INDEX rect_w ON rect (w) WHERE area > 10;
