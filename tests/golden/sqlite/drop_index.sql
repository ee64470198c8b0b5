DROP INDEX "users_select_idx";
