ALTER TABLE `users` DROP INDEX `users_select_idx`;
