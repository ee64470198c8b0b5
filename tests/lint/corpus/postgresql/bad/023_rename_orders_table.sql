-- expect: rename-table
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE orders RENAME TO purchase_orders;

-- dbshift:down
ALTER TABLE purchase_orders RENAME TO orders;
