-- DETACH ... CONCURRENTLY written (PostgreSQL 14+) but inside the migration's transaction.
-- expect: non-transactional-statement
-- fails: cannot run inside a transaction block
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE measurements DETACH PARTITION measurements_2022 CONCURRENTLY;
