CREATE TABLE node (id int PRIMARY KEY, parent_id int, CONSTRAINT node_parent FOREIGN KEY (parent_id) REFERENCES node (id) ON DELETE SET NULL);
