-- expect: drop-table
-- dbshift:up
SET lock_timeout = '3s';
DROP TABLE order_archive_2019;
