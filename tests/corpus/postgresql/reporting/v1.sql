-- A reporting database: events partitioned by month (with a default partition and a
-- partitioned index), a daily rollup materialized view with indexes, a dimension table.
CREATE TABLE sources (
    id integer PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE events (
    id bigint NOT NULL,
    source_id integer NOT NULL REFERENCES sources (id),
    happened date NOT NULL,
    kind text NOT NULL,
    value numeric(14,4),
    PRIMARY KEY (id, happened)
) PARTITION BY RANGE (happened);
CREATE INDEX events_kind ON events (kind, happened);

CREATE TABLE events_2024_01 PARTITION OF events
    FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
CREATE TABLE events_2024_02 PARTITION OF events
    FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
CREATE TABLE events_default PARTITION OF events DEFAULT;

CREATE MATERIALIZED VIEW daily AS
    SELECT happened, source_id, kind, count(*) AS n, sum(value) AS total
    FROM events GROUP BY happened, source_id, kind;
CREATE UNIQUE INDEX daily_key ON daily (happened, source_id, kind);

CREATE VIEW busiest AS
    SELECT source_id, sum(n) AS n FROM daily GROUP BY source_id;
