ALTER TABLE "orders" ADD CONSTRAINT "orders_no_overlap" EXCLUDE USING gist (user_id WITH =, id WITH <>);
