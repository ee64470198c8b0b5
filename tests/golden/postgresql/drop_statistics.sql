DROP STATISTICS "users pairs";
