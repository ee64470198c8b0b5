-- Uniqueness without the long lock, step one: the index built concurrently.
-- expect:
-- dbshift:no-transaction
-- dbshift:up
SET lock_timeout = '3s';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);
