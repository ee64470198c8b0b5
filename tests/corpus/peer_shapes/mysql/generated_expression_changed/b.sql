CREATE TABLE rect (id int PRIMARY KEY, w int, h int, area int AS (w * h * 2) PERSISTENT, KEY rect_area (area, w), UNIQUE KEY rect_u (area), CONSTRAINT rect_pos CHECK (area >= 0));
