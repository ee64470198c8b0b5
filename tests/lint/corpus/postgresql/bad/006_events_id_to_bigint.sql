-- int -> bigint rewrites the table under ACCESS EXCLUSIVE (and every index on it).
-- expect: column-type-change
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE events ALTER COLUMN id TYPE bigint;
