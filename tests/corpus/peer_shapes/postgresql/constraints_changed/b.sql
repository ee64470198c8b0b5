CREATE TABLE account (
    id integer PRIMARY KEY,
    balance numeric CONSTRAINT balance_positive CHECK (balance > -100),
    code text,
    region text,
    kind text,
    CONSTRAINT account_region_code UNIQUE (region, code)
);
CREATE TABLE entry (
    id integer PRIMARY KEY,
    account_id integer REFERENCES account ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
    other_id integer CONSTRAINT entry_other_fk REFERENCES account (id) ON UPDATE CASCADE
);
