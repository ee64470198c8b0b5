-- expect: rename-table, missing-lock-timeout
-- dbshift:up
RENAME TABLE orders TO purchase_orders;
