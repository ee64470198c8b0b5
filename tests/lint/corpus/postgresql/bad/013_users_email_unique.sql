-- A UNIQUE constraint builds its index under ACCESS EXCLUSIVE.
-- expect: unique-constraint-blocking
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
