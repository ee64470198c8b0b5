-- expect: drop-table, truncate, delete-without-where, missing-lock-timeout
-- dbshift:up
DROP TABLE order_archive_2019;
TRUNCATE TABLE carts;
DELETE FROM sessions;
