-- Data only, no DDL: one bounded batch of a backfill (the column was added earlier).
-- expect:
-- setup: ALTER TABLE accounts ADD COLUMN region text;
-- dbshift:up
SET lock_timeout = '3s';
UPDATE accounts SET region = 'eu' WHERE id BETWEEN 1 AND 10000 AND region IS NULL;
