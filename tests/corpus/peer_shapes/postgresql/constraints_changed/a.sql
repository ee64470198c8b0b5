CREATE TABLE account (
    id integer PRIMARY KEY,
    balance numeric CONSTRAINT balance_positive CHECK (balance >= 0),
    code text CONSTRAINT account_code_key UNIQUE,
    region text,
    kind text CHECK (kind IN ('a', 'b'))
);
CREATE TABLE entry (
    id integer PRIMARY KEY,
    account_id integer REFERENCES account ON DELETE CASCADE,
    other_id integer
);
