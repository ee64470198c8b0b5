CREATE TABLE booking (id integer PRIMARY KEY, room integer, during tsrange,
    CONSTRAINT booking_no_overlap EXCLUDE USING gist (during WITH &&));
