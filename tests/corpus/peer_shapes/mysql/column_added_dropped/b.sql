CREATE TABLE item (id int PRIMARY KEY, qty int NOT NULL DEFAULT 0, note varchar(200), seen_at datetime(3));
