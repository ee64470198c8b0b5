-- Domains with CHECK constraints: adding one later validates every column of that type.
-- expect: domain-check-constraint
-- dbshift:up
SET lock_timeout = '3s';
CREATE DOMAIN positive_amount AS numeric(12, 2) CHECK (VALUE > 0);
ALTER DOMAIN currency_code ADD CONSTRAINT currency_code_upper CHECK (VALUE = upper(VALUE));
