CREATE TABLE `audit; log` (
    `at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);
