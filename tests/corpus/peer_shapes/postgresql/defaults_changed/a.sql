CREATE SEQUENCE ticket_seq;
CREATE TABLE ticket (
    id integer PRIMARY KEY DEFAULT nextval('ticket_seq'),
    state text DEFAULT 'new',
    created timestamptz,
    priority integer DEFAULT 3,
    tags text[] DEFAULT '{}'
);
