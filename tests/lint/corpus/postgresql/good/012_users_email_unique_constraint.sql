-- Step two: the constraint adopts the existing index (catalog-only).
-- expect:
-- setup: CREATE UNIQUE INDEX users_email_key ON users (email);
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
