-- Step two: the constraint adopts the existing index (catalog-only).
-- expect:
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
