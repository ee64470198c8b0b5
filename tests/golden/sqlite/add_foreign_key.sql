CREATE TABLE "_dbshift_new_orders" (
    "id" bigint NOT NULL,
    "user_id" bigint,
    CONSTRAINT "orders_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "orders_user_fk" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);
INSERT INTO "_dbshift_new_orders" (rowid, "id", "user_id") SELECT rowid, "id", "user_id" FROM "orders";
DROP TABLE "orders";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_dbshift_new_orders" RENAME TO "orders";
PRAGMA legacy_alter_table = OFF;
CREATE TEMP TABLE "_dbshift_foreign_key_check" (violations INTEGER CONSTRAINT "orders: rows whose foreign key finds no row" CHECK (violations = 0));
INSERT INTO temp."_dbshift_foreign_key_check" SELECT count(*) FROM pragma_foreign_key_check('orders');
DROP TABLE temp."_dbshift_foreign_key_check";
