-- Reclaiming space the blocking way: VACUUM FULL and CLUSTER hold ACCESS EXCLUSIVE for
-- the whole rewrite.
-- expect: table-rewrite-command
-- dbshift:no-transaction
-- dbshift:up
SET lock_timeout = '3s';
VACUUM FULL audit_log;
CLUSTER audit_log USING audit_log_pkey;
