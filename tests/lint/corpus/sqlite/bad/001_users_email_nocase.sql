-- The hand-written twelve-step rebuild, missing the foreign key guard: dropping the old
-- table with foreign_keys on cascades or fails, and nothing checks the copy.
-- expect: sqlite-table-rebuild, drop-table
-- dbshift:up
CREATE TABLE users_new (
    id integer PRIMARY KEY,
    email text NOT NULL COLLATE NOCASE,
    name text
);
INSERT INTO users_new (id, email, name) SELECT id, email, name FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
