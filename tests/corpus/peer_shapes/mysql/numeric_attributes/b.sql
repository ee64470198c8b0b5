CREATE TABLE counter (id bigint unsigned PRIMARY KEY AUTO_INCREMENT, hits int unsigned NOT NULL DEFAULT 0, score double, ratio decimal(5,2) zerofill);
