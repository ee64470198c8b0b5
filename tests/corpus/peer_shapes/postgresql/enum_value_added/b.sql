CREATE TYPE mood AS ENUM ('sad', 'calm', 'happy', 'elated');
CREATE TABLE diary (id integer PRIMARY KEY, feeling mood DEFAULT 'sad');
CREATE VIEW happy_days AS SELECT id FROM diary WHERE feeling = 'happy';
