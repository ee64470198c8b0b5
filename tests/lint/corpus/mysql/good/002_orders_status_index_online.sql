-- A secondary index built online.
-- expect:
-- dbshift:up
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD INDEX orders_status_idx (status), ALGORITHM=INPLACE, LOCK=NONE;
CREATE INDEX orders_created_idx ON orders (created_at) ALGORITHM=INPLACE LOCK=NONE;
