CREATE TABLE author (id bigint PRIMARY KEY, name text);
CREATE TABLE book (id integer PRIMARY KEY, author_id bigint REFERENCES author (id));
CREATE INDEX book_author ON book (author_id);
