-- A new table and its indexes: nothing to lock yet.
-- expect:
-- dbshift:up
CREATE TABLE refunds (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id bigint NOT NULL,
    amount decimal(12, 2) NOT NULL,
    created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB;
CREATE INDEX refunds_order_idx ON refunds (order_id);
ALTER TABLE refunds ADD COLUMN reason text NULL;
