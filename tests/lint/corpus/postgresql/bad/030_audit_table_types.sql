-- A new table written with the types the style rules steer away from (notices: the table
-- is new, so nothing here locks anything), and an index name over 63 bytes, an error:
-- PostgreSQL silently truncates it.
-- expect: identifier-too-long
-- notices: prefer-jsonb, prefer-identity, prefer-text, prefer-bigint, prefer-timestamptz, ban-char
-- dbshift:up
SET lock_timeout = '3s';
CREATE TABLE audit_entries (
    id serial PRIMARY KEY,
    actor varchar(255) NOT NULL,
    country char(2),
    payload json,
    attempts int,
    recorded_at timestamp NOT NULL DEFAULT now()
);
CREATE INDEX audit_entries_recorded_at_and_actor_and_country_for_reporting_queries_idx
    ON audit_entries (recorded_at, actor, country);
