-- A new enum value (allowed in a transaction since PostgreSQL 12), placed explicitly.
-- expect:
-- dbshift:up
SET lock_timeout = '3s';
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded' AFTER 'paid';
