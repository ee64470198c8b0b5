-- The migration already runs in a transaction; its own BEGIN/COMMIT ends that one early.
-- expect: transaction-nesting
-- dbshift:up
BEGIN;
SET LOCAL lock_timeout = '3s';
ALTER TABLE users ADD COLUMN nickname text;
COMMIT;
