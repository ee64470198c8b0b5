CREATE TYPE "point 3d" AS ("x" double precision, "tag" text);
