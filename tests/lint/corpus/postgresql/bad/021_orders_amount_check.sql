-- A CHECK validated as it is added scans the table under ACCESS EXCLUSIVE.
-- expect: constraint-validated-at-once
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount >= 0);
