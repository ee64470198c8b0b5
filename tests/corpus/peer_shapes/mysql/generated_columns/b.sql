CREATE TABLE box (id int PRIMARY KEY, w int, h int, area int AS (w * h) PERSISTENT, half int AS (w / 2) VIRTUAL);
