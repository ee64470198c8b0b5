-- expect: add-column-required
-- On a table with rows SQLite refuses it (3.40: only an empty table takes it).
-- setup: INSERT INTO accounts (id) VALUES (1);
-- fails: Cannot add a NOT NULL column
-- dbshift:up
ALTER TABLE users ADD COLUMN tenant_id integer NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN owner_id integer NOT NULL;
