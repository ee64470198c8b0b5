-- NOT NULL the PostgreSQL 12+ way, step one: a CHECK added NOT VALID.
-- expect:
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE invoices
    ADD CONSTRAINT invoices_due_date_not_null CHECK (due_date IS NOT NULL) NOT VALID;
