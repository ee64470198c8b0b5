CREATE SEQUENCE counter START 10 INCREMENT 1;
CREATE SEQUENCE old_counter;
CREATE TABLE thing (id serial PRIMARY KEY, n integer);
CREATE TABLE other (id integer PRIMARY KEY);
