-- NOT NULL without a default: under strict mode the old application's INSERTs that do
-- not name the column fail ("Field 'tenant_id' doesn't have a default value").
-- expect: add-column-required
-- dbshift:up
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL, ALGORITHM=INSTANT;
