CREATE SEQUENCE ticket_seq;
CREATE TABLE ticket (
    id integer PRIMARY KEY DEFAULT nextval('ticket_seq'),
    state text DEFAULT 'open',
    created timestamptz DEFAULT now(),
    priority integer,
    tags text[] DEFAULT ARRAY['x']::text[]
);
