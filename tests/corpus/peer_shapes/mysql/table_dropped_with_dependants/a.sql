CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int, FOREIGN KEY (parent_id) REFERENCES parent (id));
CREATE VIEW child_view AS SELECT c.id FROM child c JOIN parent p ON p.id = c.parent_id;
CREATE TABLE stays (id int PRIMARY KEY, parent_id int, CONSTRAINT stays_parent FOREIGN KEY (parent_id) REFERENCES parent (id));
