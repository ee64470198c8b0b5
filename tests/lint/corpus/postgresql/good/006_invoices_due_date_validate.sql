-- Step two: validate without blocking writes.
-- expect:
-- setup: ALTER TABLE invoices ADD CONSTRAINT invoices_due_date_not_null CHECK (due_date IS NOT NULL) NOT VALID;
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE invoices VALIDATE CONSTRAINT invoices_due_date_not_null;
