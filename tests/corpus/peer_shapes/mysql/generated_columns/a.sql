CREATE TABLE box (id int PRIMARY KEY, w int, h int, area int);
