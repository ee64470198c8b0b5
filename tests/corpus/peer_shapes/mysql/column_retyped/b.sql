CREATE TABLE reading (id bigint PRIMARY KEY, code int, amount decimal(12,2) NOT NULL, label varchar(80) NOT NULL DEFAULT '', flag tinyint(1), measured timestamp NULL);
