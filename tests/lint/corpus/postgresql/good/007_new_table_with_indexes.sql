-- Everything here touches a table created in the same migration: no rows, no traffic.
-- expect:
-- dbshift:up
SET lock_timeout = '3s';
CREATE TABLE IF NOT EXISTS refunds (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL,
    amount numeric(12, 2) NOT NULL,
    reason text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS refunds_order_id_idx ON refunds (order_id);
ALTER TABLE refunds ADD CONSTRAINT refunds_amount_positive CHECK (amount > 0);
ALTER TABLE refunds ALTER COLUMN reason SET NOT NULL;
