DROP TRIGGER "users touch";
