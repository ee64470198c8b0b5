CREATE TABLE membership (team integer NOT NULL, member integer NOT NULL, id integer PRIMARY KEY);
