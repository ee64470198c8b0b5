-- expect: drop-column, rename-column
-- dbshift:up
ALTER TABLE users DROP COLUMN legacy_flag;
ALTER TABLE users RENAME COLUMN email TO email_address;
