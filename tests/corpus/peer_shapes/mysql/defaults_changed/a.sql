CREATE TABLE ticket (id int PRIMARY KEY AUTO_INCREMENT, state varchar(10) DEFAULT 'new', created datetime, priority int DEFAULT 3, ratio double);
