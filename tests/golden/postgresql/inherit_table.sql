ALTER TABLE "stray dogs" INHERIT "animal's";
