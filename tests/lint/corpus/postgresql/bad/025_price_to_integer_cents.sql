-- Retyping with USING plus a backfill of a second column, in one transaction.
-- expect: column-type-change, ddl-with-data-backfill
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE products ALTER COLUMN price TYPE bigint USING (price * 100)::bigint;
UPDATE products SET currency = 'EUR' WHERE currency IS NULL;
