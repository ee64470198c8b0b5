-- CONCURRENTLY written, but the file lacks '-- dbshift:no-transaction': PostgreSQL refuses
-- "CREATE INDEX CONCURRENTLY cannot run inside a transaction block".
-- expect: non-transactional-statement
-- fails: cannot run inside a transaction block
-- dbshift:up
SET lock_timeout = '3s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS payments_created_at_idx ON payments (created_at);
