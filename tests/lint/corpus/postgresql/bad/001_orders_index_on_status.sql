-- An index added the way a first draft writes it: plain CREATE INDEX on a live table,
-- in the migration's transaction (the runner sets lock_timeout).
-- expect: create-index-blocking
-- dbshift:up
CREATE INDEX orders_status_idx ON orders (status);

-- dbshift:down
DROP INDEX orders_status_idx;
