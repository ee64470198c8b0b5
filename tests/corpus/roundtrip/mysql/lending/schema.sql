-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
--
-- Tool library ("lending"), written for dbshift's round-trip corpus in the shape a
-- mysqldump/mariadb-dump file has (not taken from any public schema): versioned
-- comments, DELIMITER ;; blocks, views first made as placeholder tables, data in
-- LOCK TABLES blocks. Definers are CURRENT_USER where a dump names its account: dbshift
-- writes none (docs/objects.md), and the test's account is not the dump's.
-- ------------------------------------------------------
-- Server version	10.11.19-MariaDB-0+deb12u1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Table structure for table `member`
--

DROP TABLE IF EXISTS `member`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `member` (
  `member_id` mediumint(8) unsigned NOT NULL AUTO_INCREMENT,
  `sponsor_id` mediumint(8) unsigned DEFAULT NULL COMMENT 'who vouched; "none" for founders',
  `nick` varchar(32) NOT NULL,
  `full name` varchar(120) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL DEFAULT '',
  `email` varchar(190) NOT NULL,
  `joined` year(4) NOT NULL DEFAULT 2001,
  `is_active` bit(1) NOT NULL DEFAULT b'1',
  `is_banned` bit(1) NOT NULL DEFAULT b'0',
  `tier` enum('basic','plus ','it''s premium','a,b') NOT NULL DEFAULT 'basic',
  `skills` set('wood','metal','élec','o''hare') DEFAULT NULL,
  `card_no` int(6) unsigned zerofill DEFAULT NULL,
  `balance` decimal(10,2) NOT NULL DEFAULT 0.00,
  `lat` float(7,4) DEFAULT NULL,
  `lng` double(9,5) DEFAULT NULL,
  `score` double DEFAULT NULL,
  `prefs` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`prefs`)),
  `avatar` mediumblob DEFAULT NULL,
  `pin_hash` binary(32) DEFAULT NULL,
  `token` varbinary(64) DEFAULT NULL,
  `bio` tinytext DEFAULT NULL,
  `created_at` timestamp NOT NULL DEFAULT current_timestamp(),
  `updated_at` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  `deleted_at` datetime DEFAULT NULL,
  PRIMARY KEY (`member_id`),
  UNIQUE KEY `uq_member_email` (`email`),
  UNIQUE KEY `nick` (`nick`),
  KEY `idx_member_name` (`full name`(10)),
  KEY `fk_member_sponsor` (`sponsor_id`),
  KEY `idx_member_active_joined` (`is_active`,`joined` DESC),
  CONSTRAINT `fk_member_sponsor` FOREIGN KEY (`sponsor_id`) REFERENCES `member` (`member_id`) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Mitglieder — people who borrow; it''s "members"';
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `member`
--

LOCK TABLES `member` WRITE;
/*!40000 ALTER TABLE `member` DISABLE KEYS */;
INSERT INTO `member` VALUES (1,NULL,'ana','Ana Ångström','ana@example.org',2001,b'1',b'0','basic','wood,élec',000042,12.50,51.5074,-0.12780,1e300,'{\"theme\": \"dark\"}',NULL,NULL,NULL,'Likes; semicolons','2020-01-01 00:00:00','2020-01-02 00:00:00',NULL),(2,1,'bo','Bo \'Bob\' Berg','bo@example.org',2005,b'1',b'0','it\'s premium','o\'hare',000007,0.00,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'-- not a comment\n/* nor this */','2021-05-05 10:00:00','2021-05-05 10:00:00',NULL),(3,2,'cy','Cy','cy@example.org',2010,b'0',b'1','a,b',NULL,NULL,-3.25,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'DELIMITER ;;','2022-02-02 02:02:02','2022-02-02 02:02:02','2023-01-01 00:00:00');
/*!40000 ALTER TABLE `member` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `tool`
--

DROP TABLE IF EXISTS `tool`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `tool` (
  `shed_id` smallint(5) unsigned NOT NULL,
  `tool_no` smallint(5) unsigned NOT NULL,
  `title` varchar(200) NOT NULL,
  `description` text DEFAULT NULL,
  `kind` enum('hand','power','garden') NOT NULL DEFAULT 'hand',
  `weight_g` int(10) unsigned DEFAULT NULL,
  `weight_kg` decimal(10,3) GENERATED ALWAYS AS (`weight_g` / 1000) VIRTUAL,
  `label` varchar(220) GENERATED ALWAYS AS (concat(`title`,' #',`tool_no`)) STORED,
  `serial` char(12) CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL,
  `secret_note` varchar(100) DEFAULT NULL INVISIBLE,
  `spot` point NOT NULL,
  `area` polygon DEFAULT NULL,
  `bought` date DEFAULT '2000-01-01',
  PRIMARY KEY (`shed_id`,`tool_no`),
  UNIQUE KEY `uq_tool_serial` (`serial`),
  KEY `idx_tool_label` (`label`),
  SPATIAL KEY `sp_tool_spot` (`spot`),
  FULLTEXT KEY `ft_tool_text` (`title`,`description`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `tool` WRITE;
/*!40000 ALTER TABLE `tool` DISABLE KEYS */;
INSERT INTO `tool` (`shed_id`, `tool_no`, `title`, `description`, `kind`, `weight_g`, `serial`, `secret_note`, `spot`, `area`, `bought`) VALUES (1,1,'Hammer','claw; 16oz','hand',700,'H-0001',NULL,ST_GeomFromText('POINT(1 2)'),NULL,'2019-03-03'),(1,2,'Drill','cordless \"18V\"','power',1800,'D-0002','check battery',0x000000000101000000000000000000F03F0000000000000040,NULL,'2020-04-04');
/*!40000 ALTER TABLE `tool` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `loan`
--

DROP TABLE IF EXISTS `loan`;
CREATE TABLE `loan` (
  `loan_id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `shed_id` smallint(5) unsigned NOT NULL,
  `tool_no` smallint(5) unsigned NOT NULL,
  `member_id` mediumint(8) unsigned NOT NULL,
  `out_at` datetime(3) NOT NULL DEFAULT current_timestamp(3),
  `due_at` datetime NOT NULL,
  `back_at` datetime DEFAULT NULL,
  `fee` decimal(6,2) unsigned DEFAULT NULL,
  PRIMARY KEY (`loan_id`),
  KEY `fk_loan_tool` (`shed_id`,`tool_no`),
  KEY `fk_loan_member` (`member_id`),
  CONSTRAINT `fk_loan_member` FOREIGN KEY (`member_id`) REFERENCES `member` (`member_id`) ON UPDATE CASCADE,
  CONSTRAINT `fk_loan_tool` FOREIGN KEY (`shed_id`, `tool_no`) REFERENCES `tool` (`shed_id`, `tool_no`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `chk_loan_dates` CHECK (`due_at` > `out_at`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

LOCK TABLES `loan` WRITE;
INSERT INTO `loan` VALUES (1,1,1,1,'2024-01-01 10:00:00.000','2024-01-08 10:00:00',NULL,NULL),(2,1,2,2,'2024-02-01 10:00:00.123','2024-02-08 10:00:00','2024-02-07 09:00:00',2.50);
UNLOCK TABLES;

--
-- Table structure for table `audit log` (MyISAM, as old dumps have)
--

DROP TABLE IF EXISTS `audit log`;
CREATE TABLE `audit log` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `table` varchar(64) NOT NULL,
  `action` char(1) NOT NULL,
  `at` timestamp NOT NULL DEFAULT current_timestamp(),
  `détail` text CHARACTER SET latin1 COLLATE latin1_german1_ci DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `table` (`table`,`at`),
  FULLTEXT KEY `détail` (`détail`)
) ENGINE=MyISAM AUTO_INCREMENT=17 DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

--
-- Temporary table structure for view `v_open_loan`
--

DROP TABLE IF EXISTS `v_open_loan`;
/*!50001 DROP VIEW IF EXISTS `v_open_loan`*/;
SET @saved_cs_client     = @@character_set_client;
SET character_set_client = utf8;
/*!50001 CREATE VIEW `v_open_loan` AS SELECT
 1 AS `loan_id`,
  1 AS `nick`,
  1 AS `title`,
  1 AS `due_at` */;
SET character_set_client = @saved_cs_client;

DROP TABLE IF EXISTS `v_overdue`;
/*!50001 DROP VIEW IF EXISTS `v_overdue`*/;
/*!50001 CREATE VIEW `v_overdue` AS SELECT
 1 AS `loan_id`,
  1 AS `nick` */;

--
-- Dumping routines for database
--
/*!50003 DROP FUNCTION IF EXISTS `member_fee` */;
/*!50003 SET @saved_cs_client      = @@character_set_client */ ;
/*!50003 SET @saved_cs_results     = @@character_set_results */ ;
/*!50003 SET @saved_col_connection = @@collation_connection */ ;
/*!50003 SET character_set_client  = utf8mb4 */ ;
/*!50003 SET character_set_results = utf8mb4 */ ;
/*!50003 SET collation_connection  = utf8mb4_general_ci */ ;
/*!50003 SET @saved_sql_mode       = @@sql_mode */ ;
/*!50003 SET sql_mode              = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION' */ ;
DELIMITER ;;
CREATE DEFINER=CURRENT_USER FUNCTION `member_fee`(p_member MEDIUMINT UNSIGNED, p_since DATE) RETURNS decimal(10,2)
    READS SQL DATA
    DETERMINISTIC
    COMMENT 'sum of fees; cursor walk'
BEGIN
  DECLARE done INT DEFAULT FALSE;
  DECLARE v_fee DECIMAL(6,2);
  DECLARE total DECIMAL(10,2) DEFAULT 0;
  DECLARE cur CURSOR FOR SELECT fee FROM loan WHERE member_id = p_member AND out_at >= p_since;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = TRUE;
  OPEN cur;
  walk: LOOP
    FETCH cur INTO v_fee;
    IF done THEN
      LEAVE walk;
    END IF;
    SET total = total + IFNULL(v_fee, 0);
  END LOOP walk;
  CLOSE cur;
  RETURN total;
END ;;
DELIMITER ;
/*!50003 SET sql_mode              = @saved_sql_mode */ ;
/*!50003 SET character_set_client  = @saved_cs_client */ ;
/*!50003 SET character_set_results = @saved_cs_results */ ;
/*!50003 SET collation_connection  = @saved_col_connection */ ;
/*!50003 DROP PROCEDURE IF EXISTS `loan_stats` */;
/*!50003 SET @saved_sql_mode       = @@sql_mode */ ;
/*!50003 SET sql_mode              = 'NO_AUTO_VALUE_ON_ZERO,STRICT_TRANS_TABLES' */ ;
DELIMITER ;;
CREATE DEFINER=CURRENT_USER PROCEDURE `loan_stats`(IN p_member MEDIUMINT UNSIGNED, OUT p_count INT, OUT p_late INT, INOUT p_note VARCHAR(100))
    SQL SECURITY INVOKER
BEGIN
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    SET p_note = 'failed';
    RESIGNAL;
  END;
  SELECT COUNT(*), SUM(back_at > due_at) INTO p_count, p_late FROM loan WHERE member_id = p_member;
  SET p_note = CONCAT(IFNULL(p_note, ''), ';done');
  CASE WHEN p_count > 10 THEN SET p_note = CONCAT(p_note, ' heavy');
       ELSE BEGIN END;
  END CASE;
END ;;
DELIMITER ;
/*!50003 SET sql_mode              = @saved_sql_mode */ ;

--
-- Triggers, in mysqldump's own spelling
--
/*!50003 SET @saved_sql_mode       = @@sql_mode */ ;
/*!50003 SET sql_mode              = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION' */ ;
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER `loan_bi` BEFORE INSERT ON `loan` FOR EACH ROW BEGIN
  IF NEW.due_at IS NULL OR NEW.due_at = '0000-00-00 00:00:00' THEN
    SET NEW.due_at = NEW.out_at + INTERVAL 7 DAY;
  END IF;
END */;;
/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER `loan_au` AFTER UPDATE ON `loan` FOR EACH ROW INSERT INTO `audit log` (`table`, `action`, `détail`) VALUES ('loan', 'U', CONCAT('loan ', NEW.loan_id)) */;;
/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER `loan_ad` AFTER DELETE ON `loan` FOR EACH ROW INSERT INTO `audit log` (`table`, `action`) VALUES ('loan', 'D') */;;
/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER `member_bu` BEFORE UPDATE ON `member` FOR EACH ROW SET NEW.nick = LOWER(NEW.nick) */;;
DELIMITER ;
/*!50003 SET sql_mode              = @saved_sql_mode */ ;

--
-- Final view structure for view `v_open_loan`
--

/*!50001 DROP VIEW IF EXISTS `v_open_loan`*/;
/*!50001 SET @saved_cs_client          = @@character_set_client */;
/*!50001 SET @saved_cs_results         = @@character_set_results */;
/*!50001 SET @saved_col_connection     = @@collation_connection */;
/*!50001 SET character_set_client      = utf8mb4 */;
/*!50001 SET character_set_results     = utf8mb4 */;
/*!50001 SET collation_connection      = utf8mb4_general_ci */;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */
/*!50001 VIEW `v_open_loan` AS select `l`.`loan_id` AS `loan_id`,`m`.`nick` AS `nick`,`t`.`title` AS `title`,`l`.`due_at` AS `due_at` from ((`loan` `l` join `member` `m` on(`m`.`member_id` = `l`.`member_id`)) join `tool` `t` on(`t`.`shed_id` = `l`.`shed_id` and `t`.`tool_no` = `l`.`tool_no`)) where `l`.`back_at` is null */;
/*!50001 SET character_set_client      = @saved_cs_client */;
/*!50001 SET character_set_results     = @saved_cs_results */;
/*!50001 SET collation_connection      = @saved_col_connection */;

/*!50001 DROP VIEW IF EXISTS `v_overdue`*/;
/*!50001 CREATE ALGORITHM=MERGE */
/*!50013 DEFINER=CURRENT_USER SQL SECURITY INVOKER */
/*!50001 VIEW `v_overdue` AS select `v_open_loan`.`loan_id` AS `loan_id`,`v_open_loan`.`nick` AS `nick` from `v_open_loan` where `v_open_loan`.`due_at` < current_timestamp() */;

/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;
/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

-- Dump completed on 2026-12-07  5:30:00
