-- NOT NULL with a constant default: old INSERTs still work, instant on both servers.
-- expect:
-- dbshift:up
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users ADD COLUMN locale varchar(10) NOT NULL DEFAULT 'en', ALGORITHM=INSTANT;
