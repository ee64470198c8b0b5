-- Step two, a later migration: VALIDATE takes SHARE UPDATE EXCLUSIVE, writes continue.
-- expect:
-- setup: ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;
