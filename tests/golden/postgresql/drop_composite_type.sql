DROP TYPE "pair";
