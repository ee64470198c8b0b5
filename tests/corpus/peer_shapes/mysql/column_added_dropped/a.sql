CREATE TABLE item (id int PRIMARY KEY, legacy text, qty int NOT NULL DEFAULT 0);
