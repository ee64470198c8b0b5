-- lock_wait_timeout back to the server's default (a day on MariaDB, a year on MySQL 8.0)
-- before a DDL on a live table.
-- expect: missing-lock-timeout
-- dbshift:up
SET SESSION lock_wait_timeout = DEFAULT;
ALTER TABLE orders ADD COLUMN note varchar(100);

-- dbshift:down
ALTER TABLE orders DROP COLUMN note;
