CREATE TABLE "_dbshift_new_users" (
    "id" bigint PRIMARY KEY AUTOINCREMENT NOT NULL,
    "email" text DEFAULT '' NOT NULL,
    "select" integer,
    CONSTRAINT "users_email_key" UNIQUE ("email"),
    CONSTRAINT "users_select_check" CHECK (("select" > 0))
);
INSERT INTO "_dbshift_new_users" (rowid, "id", "email", "select") SELECT rowid, "id", "email", "select" FROM "users";
DELETE FROM sqlite_sequence WHERE name = '_dbshift_new_users' AND seq < (SELECT seq FROM sqlite_sequence WHERE name = 'users');
INSERT INTO sqlite_sequence (name, seq) SELECT '_dbshift_new_users', seq FROM sqlite_sequence WHERE name = 'users' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '_dbshift_new_users');
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_dbshift_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "users_select_idx" ON "users" ("select" DESC);
CREATE TRIGGER "users touch" AFTER UPDATE ON users BEGIN SELECT 1; END;
