-- A nullable column, declared INSTANT so the server refuses rather than copies.
-- expect:
-- dbshift:up
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN note varchar(200) NULL, ALGORITHM=INSTANT;
