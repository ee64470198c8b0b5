CREATE TABLE secretive (id int PRIMARY KEY, k int, KEY secretive_k (k) IGNORED);
