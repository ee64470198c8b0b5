-- expect: add-column-required
-- dbshift:up
ALTER TABLE users ADD COLUMN tenant_id integer NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN owner_id integer NOT NULL;
