CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE name_t (id integer PRIMARY KEY, n text COLLATE ci);
