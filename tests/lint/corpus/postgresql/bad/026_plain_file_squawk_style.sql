-- A plain SQL file, the way squawk's examples are written (no dbshift markers): its own
-- transaction, no lock_timeout.
-- expect: add-column-required, create-index-blocking
BEGIN;
ALTER TABLE "core_recipe" ADD COLUMN "foo" integer NOT NULL;
CREATE INDEX "core_recipe_foo_idx" ON "core_recipe" ("foo");
COMMIT;
