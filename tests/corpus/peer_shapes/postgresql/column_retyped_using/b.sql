CREATE TABLE reading (
    id bigint PRIMARY KEY,
    code integer,
    amount numeric(12,2) NOT NULL,
    label varchar(80),
    flag boolean,
    measured timestamptz
);
