CREATE STATISTICS "users_total" ON (id * 2) FROM "users";
