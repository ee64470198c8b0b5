CREATE TABLE "audit; log" (
    "at" timestamp DEFAULT CURRENT_TIMESTAMP NOT NULL
);
