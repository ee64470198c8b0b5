-- expect:
-- dbshift:up
CREATE TABLE refunds (
    id integer PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders (id),
    amount integer NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX refunds_order_idx ON refunds (order_id);
