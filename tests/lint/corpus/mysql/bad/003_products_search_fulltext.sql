-- expect: create-index-blocking
-- dbshift:up
SET SESSION lock_wait_timeout = 5;
CREATE FULLTEXT INDEX products_search ON products (name, description);
