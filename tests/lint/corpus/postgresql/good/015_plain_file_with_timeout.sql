-- A plain file (no markers), squawk style, done safely.
-- expect:
SET lock_timeout = '3s';
SET statement_timeout = '5s';
ALTER TABLE "core_recipe" ADD COLUMN IF NOT EXISTS "bar" text;
CREATE INDEX CONCURRENTLY IF NOT EXISTS "core_recipe_bar_idx" ON "core_recipe" ("bar");
