CREATE TABLE doc (id int PRIMARY KEY, phase enum('draft','review','done') NOT NULL DEFAULT 'draft');
