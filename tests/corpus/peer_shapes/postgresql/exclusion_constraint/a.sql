CREATE TABLE booking (id integer PRIMARY KEY, room integer, during tsrange);
