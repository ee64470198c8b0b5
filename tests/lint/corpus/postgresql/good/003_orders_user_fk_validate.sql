-- Step two, a later migration: VALIDATE takes SHARE UPDATE EXCLUSIVE, writes continue.
-- expect:
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;
