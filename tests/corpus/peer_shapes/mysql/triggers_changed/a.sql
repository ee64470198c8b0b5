CREATE TABLE emp (name varchar(20), salary int, stamped datetime);
CREATE TRIGGER emp_stamp BEFORE UPDATE ON emp FOR EACH ROW SET NEW.stamped = NOW();
CREATE TRIGGER emp_gone BEFORE INSERT ON emp FOR EACH ROW SET NEW.stamped = NOW();
