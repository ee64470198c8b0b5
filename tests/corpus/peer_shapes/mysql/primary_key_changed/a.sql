CREATE TABLE membership (team int NOT NULL, member int NOT NULL, id int NOT NULL, PRIMARY KEY (id));
