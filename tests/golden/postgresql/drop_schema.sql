DROP SCHEMA "old archive";
