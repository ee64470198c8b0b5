-- gen_random_uuid() is volatile: PostgreSQL writes every existing row to fill it in.
-- expect: add-column-volatile-default
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE sessions ADD COLUMN token uuid DEFAULT gen_random_uuid();
