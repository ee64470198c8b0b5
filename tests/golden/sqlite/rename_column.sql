ALTER TABLE "users" RENAME COLUMN "email" TO "e-mail";
