-- expect:
-- dbshift:no-transaction
-- dbshift:up
SET lock_timeout = '3s';
REINDEX INDEX CONCURRENTLY orders_status_idx;
