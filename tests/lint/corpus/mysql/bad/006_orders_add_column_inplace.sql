-- A column that could be added instantly, forced to INPLACE (a full rebuild), and an
-- auto-increment column, which can never be instant.
-- expect: mysql-add-column-not-instant
-- dbshift:up
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD COLUMN coupon varchar(40) NULL, ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE order_notes ADD COLUMN seq int NOT NULL AUTO_INCREMENT UNIQUE;
