ALTER TABLE "users" ADD COLUMN "nick name" text DEFAULT 'x';
