CREATE TYPE "dbshift_enum_ee0e4f309c9a4731" AS ENUM ('happy');
ALTER TABLE "orders" ALTER COLUMN "mood" DROP DEFAULT, ALTER COLUMN "mood" TYPE "dbshift_enum_ee0e4f309c9a4731" USING "mood"::text::"dbshift_enum_ee0e4f309c9a4731", ALTER COLUMN "moods" TYPE "dbshift_enum_ee0e4f309c9a4731"[] USING "moods"::text[]::"dbshift_enum_ee0e4f309c9a4731"[];
DROP TYPE "mood";
ALTER TYPE "dbshift_enum_ee0e4f309c9a4731" RENAME TO "mood";
ALTER TABLE "orders" ALTER COLUMN "mood" SET DEFAULT 'happy'::mood;
