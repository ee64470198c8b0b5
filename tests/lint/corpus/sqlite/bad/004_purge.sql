-- expect: delete-without-where, rename-table
-- dbshift:up
DELETE FROM sessions;
ALTER TABLE carts RENAME TO baskets;
