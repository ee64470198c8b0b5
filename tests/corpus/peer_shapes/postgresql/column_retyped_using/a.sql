CREATE TABLE reading (
    id integer PRIMARY KEY,
    code text,
    amount integer NOT NULL,
    label varchar(20),
    flag integer,
    measured timestamp
);
