-- A partitioned table created here with its partitions and a domain without a check.
-- expect:
-- dbshift:up
SET lock_timeout = '3s';
CREATE DOMAIN sensor_code AS text;
CREATE TABLE readings (
    sensor sensor_code NOT NULL,
    taken_at timestamptz NOT NULL,
    value double precision
) PARTITION BY RANGE (taken_at);
CREATE TABLE readings_2025 PARTITION OF readings
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX readings_taken_at_idx ON readings (taken_at);
