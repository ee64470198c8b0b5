DROP DOMAIN "email";
