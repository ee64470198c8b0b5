CREATE TABLE "_dbshift_new_users" (
    "id" bigint PRIMARY KEY AUTOINCREMENT NOT NULL,
    "email" text DEFAULT '' NOT NULL,
    "select" integer,
    "bio" text,
    CONSTRAINT "users_email_key" UNIQUE ("email")
);
INSERT INTO "_dbshift_new_users" (rowid, "id", "email", "select", "bio") SELECT rowid, "id", "email", "select", "bio" FROM "users";
DELETE FROM sqlite_sequence WHERE name = '_dbshift_new_users' AND seq < (SELECT seq FROM sqlite_sequence WHERE name = 'users');
INSERT INTO sqlite_sequence (name, seq) SELECT '_dbshift_new_users', seq FROM sqlite_sequence WHERE name = 'users' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '_dbshift_new_users');
DROP TABLE "users";
PRAGMA legacy_alter_table = ON;
ALTER TABLE "_dbshift_new_users" RENAME TO "users";
PRAGMA legacy_alter_table = OFF;
CREATE INDEX "users_select_idx" ON "users" ("select" DESC);
CREATE TRIGGER "users touch" AFTER UPDATE ON users BEGIN SELECT 1; END;
