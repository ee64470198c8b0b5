CREATE TABLE reading (id int PRIMARY KEY, code varchar(10), amount int NOT NULL, label varchar(20), flag tinyint, measured datetime);
