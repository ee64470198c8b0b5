CREATE SCHEMA archive;
CREATE TABLE archive.old_row (id integer PRIMARY KEY, body text);
CREATE SEQUENCE archive.old_seq;
CREATE TABLE keep (id integer PRIMARY KEY);
