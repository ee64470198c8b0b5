CREATE TABLE doc (id int PRIMARY KEY, phase enum('draft','done') NOT NULL DEFAULT 'draft');
