CREATE TABLE secret (id int PRIMARY KEY);
