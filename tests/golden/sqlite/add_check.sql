CREATE TABLE "_dbshift_new_orders" (
    "id" bigint NOT NULL,
    "user_id" bigint,
    CONSTRAINT "orders_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "orders_id_check" CHECK ((id > 0))
);
INSERT INTO "_dbshift_new_orders" (rowid, "id", "user_id") SELECT rowid, "id", "user_id" FROM "orders";
DROP TABLE "orders";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_dbshift_new_orders" RENAME TO "orders";
PRAGMA legacy_alter_table = OFF;
