ALTER TABLE `users` ENGINE=`MyISAM`, COLLATE=`latin1_bin`;
