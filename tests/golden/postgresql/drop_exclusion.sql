ALTER TABLE "orders" DROP CONSTRAINT "orders_no_overlap";
