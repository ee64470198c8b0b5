CREATE TYPE "color" AS ENUM ('red', 'it''s green');
