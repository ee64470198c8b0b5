CREATE TYPE bug_status AS ENUM ('new', 'open', 'closed');
CREATE TABLE bug (id integer PRIMARY KEY, status bug_status);
