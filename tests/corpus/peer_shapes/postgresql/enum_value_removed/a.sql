CREATE TYPE phase AS ENUM ('draft', 'review', 'done');
CREATE TABLE doc (id integer PRIMARY KEY, phase phase NOT NULL DEFAULT 'draft');
