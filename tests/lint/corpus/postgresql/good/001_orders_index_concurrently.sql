-- The safe index: CONCURRENTLY, outside a transaction, with a lock_timeout so the short
-- lock it does take cannot queue traffic behind it.
-- expect:
-- dbshift:no-transaction
-- dbshift:up
SET lock_timeout = '3s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);

-- dbshift:down
DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;
