ALTER TABLE `users` COMMENT='humans';
