-- A file that turns the runner's lock timeout off, then adds a column to a live table:
-- the ALTER may queue behind a long transaction with every later query behind it.
-- expect: missing-lock-timeout
-- dbshift:lock-timeout off
-- dbshift:up
ALTER TABLE orders ADD COLUMN remark text;

-- dbshift:down
ALTER TABLE orders DROP COLUMN remark;
