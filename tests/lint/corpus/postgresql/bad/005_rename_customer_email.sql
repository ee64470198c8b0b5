-- expect: rename-column
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE customers RENAME COLUMN email TO email_address;

-- dbshift:down
ALTER TABLE customers RENAME COLUMN email_address TO email;
