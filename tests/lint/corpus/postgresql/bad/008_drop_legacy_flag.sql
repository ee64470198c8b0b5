-- expect: drop-column
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE users DROP COLUMN legacy_flag;
