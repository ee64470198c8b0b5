CREATE TABLE stays (id int PRIMARY KEY, parent_id int);
