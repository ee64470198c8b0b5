-- ALGORITHM=COPY written out: the table is copied row by row with writes blocked.
-- expect: mysql-algorithm-copy
-- dbshift:up
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN note varchar(200) NULL, ALGORITHM=COPY;
