CREATE EXTENSION citext;
CREATE EXTENSION pg_trgm;
CREATE TABLE tagged (id integer PRIMARY KEY, email citext);
CREATE INDEX tagged_email_trgm ON tagged USING gin ((email::text) gin_trgm_ops);
