ALTER TABLE "old pets" NO INHERIT "animal's";
