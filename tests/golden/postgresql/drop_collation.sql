DROP COLLATION "no case";
