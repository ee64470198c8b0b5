CREATE DATABASE `audit`;
SET @dbshift_ddl = CONCAT('CREATE TABLE `audit`.`events` (
    `id` int NOT NULL,
    `customer_id` int NULL,
    PRIMARY KEY (`id`),
    CONSTRAINT `fk_customer` FOREIGN KEY (`customer_id`) REFERENCES ', CONCAT('`', REPLACE(DATABASE(), '`', '``'), '`'), '.`cust``omers` (`id`) ON DELETE NO ACTION ON UPDATE NO ACTION
)');
PREPARE dbshift_ddl FROM @dbshift_ddl;
EXECUTE dbshift_ddl;
DEALLOCATE PREPARE dbshift_ddl;
ALTER TABLE `audit`.`events` ADD CONSTRAINT `fk_same` FOREIGN KEY (`id`) REFERENCES `audit`.`other` (`id`) ON DELETE NO ACTION ON UPDATE NO ACTION;
SET @dbshift_client = @@SESSION.character_set_client, @dbshift_connection = @@SESSION.collation_connection;
SET SESSION character_set_client = 'latin1', collation_connection = 'latin1_swedish_ci';
CREATE FUNCTION `audit`.`event_count`() RETURNS int READS SQL DATA RETURN (SELECT count(*) FROM events);
SET SESSION character_set_client = @dbshift_client, collation_connection = @dbshift_connection;
CREATE TRIGGER `audit`.`events_bi` BEFORE INSERT ON `audit`.`events` FOR EACH ROW SET NEW.id = abs(NEW.id);
SET @dbshift_client = @@SESSION.character_set_client, @dbshift_connection = @@SESSION.collation_connection;
SET SESSION character_set_client = 'latin1', collation_connection = 'utf8mb4_unicode_ci';
CREATE VIEW `audit`.`recent` AS select `audit`.`events`.`id` AS `id` from `audit`.`events`;
SET SESSION character_set_client = @dbshift_client, collation_connection = @dbshift_connection;
DROP DATABASE `old`;
