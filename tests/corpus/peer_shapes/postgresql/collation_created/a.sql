CREATE TABLE name_t (id integer PRIMARY KEY, n text);
