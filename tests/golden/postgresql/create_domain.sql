CREATE DOMAIN "positive" AS integer NOT NULL;
