-- The new table's index is harmless; the second index is on a live table.
-- expect: create-index-blocking
-- dbshift:up
SET lock_timeout = '3s';
CREATE TABLE shipments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id),
    shipped_at timestamptz
);
CREATE INDEX shipments_order_id_idx ON shipments (order_id);
CREATE INDEX orders_shipped_idx ON orders (id) WHERE status = 'shipped';
