-- A new enum value, then one ALTER TABLE doing three things at once: the drop and the
-- new column are catalog-only, but the retype rewrites the table and all three share its
-- ACCESS EXCLUSIVE lock.
-- expect: multiple-alter-actions, column-type-change, drop-column
-- dbshift:up
SET lock_timeout = '3s';
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';
ALTER TABLE orders
    ADD COLUMN refunded_at timestamptz,
    ALTER COLUMN note TYPE varchar(200),
    DROP COLUMN legacy_note;
