-- Converting a latin1 table with indexed text columns to utf8mb4 copies it with writes
-- blocked (MariaDB 10.11 with ALGORITHM=INPLACE: "Cannot change column type. Try
-- ALGORITHM=COPY").
-- expect: mysql-algorithm-copy
-- dbshift:up
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
