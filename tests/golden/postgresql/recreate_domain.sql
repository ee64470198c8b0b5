CREATE DOMAIN "dbshift_domain_82244417f956ac7c" AS text NOT NULL;
ALTER TABLE "orders" ALTER COLUMN "contact" DROP DEFAULT, ALTER COLUMN "contact" TYPE "dbshift_domain_82244417f956ac7c" USING "contact"::"dbshift_domain_82244417f956ac7c";
DROP DOMAIN "email";
ALTER DOMAIN "dbshift_domain_82244417f956ac7c" RENAME TO "email";
ALTER TABLE "orders" ALTER COLUMN "contact" SET DEFAULT 'a@b'::text;
