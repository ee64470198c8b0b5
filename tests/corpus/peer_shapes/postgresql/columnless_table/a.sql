CREATE TABLE marker ();
CREATE TABLE grows ();
