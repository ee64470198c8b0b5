-- A nullable column and a constant default: catalog-only since PostgreSQL 11.
-- expect:
-- dbshift:up
SET lock_timeout = '3s';
SET statement_timeout = '10s';
ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;
ALTER TABLE users ADD COLUMN IF NOT EXISTS locale text NOT NULL DEFAULT 'en';
