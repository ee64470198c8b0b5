-- expect: set-not-null
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE invoices ALTER COLUMN due_date SET NOT NULL;

-- dbshift:down
ALTER TABLE invoices ALTER COLUMN due_date DROP NOT NULL;
