-- expect: unique-constraint-blocking
-- dbshift:up
SET lock_timeout = '3s';
ALTER TABLE line_items ADD PRIMARY KEY (order_id, position);
