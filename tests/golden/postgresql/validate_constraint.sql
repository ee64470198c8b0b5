ALTER TABLE "orders" VALIDATE CONSTRAINT "orders_id_check";
