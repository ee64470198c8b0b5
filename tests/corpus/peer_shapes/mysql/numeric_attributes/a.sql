CREATE TABLE counter (id int PRIMARY KEY AUTO_INCREMENT, hits int, score float, ratio decimal(5,2));
