CREATE COLLATION "dbshift_collation_394a4dd959aa3ec3" (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
ALTER TABLE "people" ALTER COLUMN "e mail" TYPE text COLLATE "dbshift_collation_394a4dd959aa3ec3";
DROP COLLATION "no case";
ALTER COLLATION "dbshift_collation_394a4dd959aa3ec3" RENAME TO "no case";
