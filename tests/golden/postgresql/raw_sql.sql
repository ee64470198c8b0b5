CREATE TABLE audit (at text); INSERT INTO audit VALUES ('x');
