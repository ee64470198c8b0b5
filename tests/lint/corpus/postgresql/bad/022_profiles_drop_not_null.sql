-- expect: drop-not-null
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE profiles ALTER COLUMN display_name DROP NOT NULL;
