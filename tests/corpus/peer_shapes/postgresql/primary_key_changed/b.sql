CREATE TABLE membership (team integer NOT NULL, member integer NOT NULL, id integer NOT NULL, PRIMARY KEY (team, member));
