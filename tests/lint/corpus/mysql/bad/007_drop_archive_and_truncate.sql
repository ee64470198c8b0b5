-- expect: drop-table, truncate, delete-without-where
-- dbshift:up
DROP TABLE order_archive_2019;
TRUNCATE TABLE carts;
DELETE FROM sessions;
