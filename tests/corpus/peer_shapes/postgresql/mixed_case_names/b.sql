CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept"."Order" ("Id" integer PRIMARY KEY, "Total" numeric(12,2) NOT NULL DEFAULT 0, "Note" text);
CREATE INDEX "Order Total" ON "Sales Dept"."Order" ("Total");
