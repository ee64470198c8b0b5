CREATE FUNCTION add_tax(p decimal(10,2)) RETURNS decimal(12,2) DETERMINISTIC RETURN p * 1.2;
CREATE PROCEDURE bump(IN n int, OUT m int) BEGIN SET m = n + 1; END;
CREATE FUNCTION fresh(s varchar(10)) RETURNS int NO SQL RETURN length(s);
