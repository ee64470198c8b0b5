-- expect: drop-index-blocking, drop-index
-- dbshift:up
SET lock_timeout = '3s';
DROP INDEX orders_legacy_idx;
