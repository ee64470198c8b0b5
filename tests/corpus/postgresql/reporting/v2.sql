-- Release 2: a new month partition, one old month detached into an archive table, a
-- wider rollup (the view over it recreated), a second rollup index, a comment.
CREATE TABLE sources (
    id integer PRIMARY KEY,
    name text NOT NULL UNIQUE,
    region text
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

CREATE TABLE events_2024_01 (
    id bigint NOT NULL,
    source_id integer NOT NULL,
    happened date NOT NULL,
    kind text NOT NULL,
    value numeric(14,4),
    CONSTRAINT events_2024_01_archive_pkey PRIMARY KEY (id, happened)
);
COMMENT ON TABLE events_2024_01 IS 'archived January';
CREATE TABLE events_2024_02 PARTITION OF events
    FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
CREATE TABLE events_2024_03 PARTITION OF events
    FOR VALUES FROM ('2024-03-01') TO ('2024-04-01');
CREATE TABLE events_default PARTITION OF events DEFAULT;

CREATE MATERIALIZED VIEW daily AS
    SELECT happened, source_id, kind, count(*) AS n, sum(value) AS total, max(value) AS peak
    FROM events GROUP BY happened, source_id, kind;
CREATE UNIQUE INDEX daily_key ON daily (happened, source_id, kind);
CREATE INDEX daily_kind ON daily (kind);
COMMENT ON MATERIALIZED VIEW daily IS 'refreshed nightly';

CREATE VIEW busiest AS
    SELECT source_id, sum(n) AS n, max(peak) AS peak FROM daily GROUP BY source_id;
