-- DETACH ... CONCURRENTLY (PostgreSQL 14+) outside a transaction.
-- expect:
-- dbshift:no-transaction
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE measurements DETACH PARTITION measurements_2022 CONCURRENTLY;
