DROP VIEW "active users";
