-- expect: truncate, delete-without-where
-- dbshift:up
SET lock_timeout = '3s';
TRUNCATE carts CASCADE;
DELETE FROM sessions;
