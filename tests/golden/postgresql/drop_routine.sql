DROP TRIGGER "users touch" ON "users";
