-- expect: drop-column, rename-column
-- dbshift:up
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users DROP COLUMN legacy_flag;
ALTER TABLE users RENAME COLUMN email TO email_address;
