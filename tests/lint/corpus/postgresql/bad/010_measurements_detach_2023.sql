-- A plain DETACH takes ACCESS EXCLUSIVE on the parent: every query on measurements waits.
-- expect: detach-partition-blocking
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE measurements DETACH PARTITION measurements_2023;
