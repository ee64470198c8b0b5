-- expect:
-- dbshift:up
ALTER TABLE users ADD COLUMN nickname text;
CREATE INDEX IF NOT EXISTS users_nickname_idx ON users (nickname);
