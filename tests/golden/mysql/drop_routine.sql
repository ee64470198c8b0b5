DROP TRIGGER `users touch`;
