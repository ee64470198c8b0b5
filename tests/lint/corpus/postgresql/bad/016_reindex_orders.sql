-- expect: reindex-blocking
-- setup: CREATE INDEX orders_status_idx ON orders (status);
-- dbshift:no-transaction
-- dbshift:up
SET lock_timeout = '3s';
REINDEX INDEX orders_status_idx;
REINDEX TABLE orders;
