CREATE TABLE reading (id INTEGER PRIMARY KEY, code TEXT, amount INTEGER NOT NULL, flag INTEGER);
CREATE INDEX reading_code ON reading (code);
