CREATE TABLE parent (id INTEGER PRIMARY KEY);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));
CREATE VIEW child_view AS SELECT c.id FROM child c JOIN parent p ON p.id = c.parent_id;
CREATE TABLE stays (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));
