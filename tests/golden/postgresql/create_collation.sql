CREATE COLLATION "c_like" (provider = libc, lc_collate = 'C', lc_ctype = 'C');
