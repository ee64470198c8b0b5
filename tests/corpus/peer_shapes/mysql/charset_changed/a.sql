CREATE TABLE word (id int PRIMARY KEY, w varchar(20)) DEFAULT CHARSET=latin1;
