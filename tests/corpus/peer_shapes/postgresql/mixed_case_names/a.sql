CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept"."Order" ("Id" integer PRIMARY KEY, "Total" numeric);
