-- expect: drop-database
-- dbshift:no-transaction
-- dbshift:up
DROP DATABASE IF EXISTS legacy_reporting;
