ALTER TABLE `users` ADD COLUMN `nick name` text NULL DEFAULT 'x';
