ALTER TABLE "orders" ADD CONSTRAINT "orders_id_check" CHECK ((id > 0)) NOT VALID;
