CREATE TABLE diary (id int PRIMARY KEY, feeling enum('sad','calm','happy','elated') DEFAULT 'sad', tags set('a','b','c'));
