ALTER TABLE `users` DROP CONSTRAINT `users_select_check`;
