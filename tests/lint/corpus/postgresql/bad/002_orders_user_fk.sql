-- A foreign key added and validated in one statement: both tables are locked against
-- writes while every order row is checked.
-- expect: constraint-validated-at-once
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE orders
    ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);

-- dbshift:down
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;
