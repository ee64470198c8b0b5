DROP TYPE "mood";
