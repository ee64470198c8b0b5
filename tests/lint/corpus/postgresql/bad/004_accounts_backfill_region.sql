-- Column, backfill and constraint in one transaction: the UPDATE rewrites every row while
-- the ALTER's ACCESS EXCLUSIVE lock is held, then SET NOT NULL scans the table again.
-- expect: ddl-with-data-backfill, set-not-null
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE accounts ADD COLUMN region text;
UPDATE accounts SET region = 'eu' WHERE region IS NULL;
ALTER TABLE accounts ALTER COLUMN region SET NOT NULL;

-- dbshift:down
ALTER TABLE accounts DROP COLUMN region;
