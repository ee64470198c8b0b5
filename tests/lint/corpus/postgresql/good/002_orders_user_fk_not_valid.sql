-- Step one of a foreign key: added NOT VALID (brief lock, no scan).
-- expect:
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE orders
    ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
