CREATE TABLE secretive (id int PRIMARY KEY, note varchar(20) INVISIBLE, k int);
