-- int -> bigint needs a table copy on MySQL 8.0 and MariaDB 10.11.
-- expect: column-type-change
-- dbshift:up
SET SESSION lock_wait_timeout = 5;
ALTER TABLE events MODIFY COLUMN id bigint NOT NULL AUTO_INCREMENT;
