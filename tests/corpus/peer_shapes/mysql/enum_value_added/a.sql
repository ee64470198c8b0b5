CREATE TABLE diary (id int PRIMARY KEY, feeling enum('sad','happy') DEFAULT 'sad', tags set('a','b'));
