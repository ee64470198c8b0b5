-- Step two: validate without blocking writes.
-- expect:
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE invoices VALIDATE CONSTRAINT invoices_due_date_not_null;
