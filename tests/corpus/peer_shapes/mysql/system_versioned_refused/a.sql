CREATE TABLE price (id int PRIMARY KEY, amount int);
