-- expect: reindex-blocking
-- dbshift:no-transaction
-- dbshift:up
SET lock_timeout = '3s';
REINDEX INDEX orders_status_idx;
REINDEX TABLE orders;
