DROP VIEW `active users`;
