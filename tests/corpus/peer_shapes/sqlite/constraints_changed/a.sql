CREATE TABLE account (id INTEGER PRIMARY KEY, balance NUMERIC CONSTRAINT balance_positive CHECK (balance >= 0), code TEXT UNIQUE);
CREATE TABLE entry (id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES account (id) ON DELETE CASCADE, other_id INTEGER);
