ALTER TABLE "users" SET ("fillfactor"='60', "autovacuum_enabled"='false');
