CREATE TYPE phase AS ENUM ('draft', 'done');
CREATE TABLE doc (id integer PRIMARY KEY, phase phase NOT NULL DEFAULT 'draft');
