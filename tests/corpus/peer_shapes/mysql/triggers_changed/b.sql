CREATE TABLE emp (name varchar(20), salary int, stamped datetime);
CREATE TRIGGER emp_stamp BEFORE UPDATE ON emp FOR EACH ROW SET NEW.stamped = NOW(), NEW.salary = GREATEST(NEW.salary, 0);
CREATE TRIGGER emp_new AFTER DELETE ON emp FOR EACH ROW SET @last_deleted = OLD.name;
