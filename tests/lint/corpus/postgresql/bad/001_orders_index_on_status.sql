-- An index added the way a first draft writes it: plain CREATE INDEX on a live table,
-- no lock_timeout, in the migration's transaction.
-- expect: create-index-blocking, missing-lock-timeout
-- dbshift:up
CREATE INDEX orders_status_idx ON orders (status);

-- dbshift:down
DROP INDEX orders_status_idx;
