-- The rebuild done as SQLite's documentation prescribes, in a no-transaction migration so
-- PRAGMA foreign_keys takes effect: keys off, copy, swap, check, keys on.
-- expect: sqlite-table-rebuild
-- dbshift:no-transaction
-- dbshift:up
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_new (id integer PRIMARY KEY, email text NOT NULL COLLATE NOCASE);
INSERT INTO users_new (id, email) SELECT id, email FROM users;
DROP TABLE users; -- dbshift:ignore drop-table the rows were copied to users_new above
ALTER TABLE users_new RENAME TO users;
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
