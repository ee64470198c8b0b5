ALTER TABLE "orders" ADD CONSTRAINT "orders_user_key" UNIQUE ("user_id");
