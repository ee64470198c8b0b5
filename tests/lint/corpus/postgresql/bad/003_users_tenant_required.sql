-- A required column with no default: the running application's INSERTs do not name it
-- and start failing the moment this commits.
-- expect: add-column-required
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;

-- dbshift:down
ALTER TABLE users DROP COLUMN tenant_id;
