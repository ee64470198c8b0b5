-- expect: rename-table
-- dbshift:up
RENAME TABLE orders TO purchase_orders;
