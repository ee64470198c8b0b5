ALTER TABLE "users" ALTER COLUMN "select" TYPE bigint USING "select"::bigint, ALTER COLUMN "select" SET DEFAULT 0, ALTER COLUMN "select" SET NOT NULL;
