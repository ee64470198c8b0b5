CREATE TABLE reading (id INTEGER PRIMARY KEY, code INTEGER, amount REAL NOT NULL, flag BOOLEAN);
CREATE INDEX reading_code ON reading (code);
