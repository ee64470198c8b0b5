CREATE TABLE parent (id integer PRIMARY KEY);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent);
CREATE VIEW child_view AS SELECT c.id FROM child c JOIN parent p ON p.id = c.parent_id;
CREATE TABLE stays (id integer PRIMARY KEY, parent_id integer REFERENCES parent);
