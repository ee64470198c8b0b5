-- Allotment gardens, written for dbshift's round-trip corpus (not taken from any public
-- schema): the spellings of blog/shop-engine dumps (WordPress/Magento/Drupal style:
-- quoted numeric defaults, zero dates, prefix keys of 191, USING BTREE, comments on
-- everything), a sequence as mariadb-dump writes it, JSON
-- paths in generated columns, views with column lists and UNION.
/*!40101 SET NAMES utf8mb4 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;

DROP TABLE IF EXISTS `gx_options`;
CREATE TABLE `gx_options` (
  `option_id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `option_name` varchar(191) NOT NULL DEFAULT '',
  `option_value` longtext NOT NULL,
  `autoload` varchar(20) NOT NULL DEFAULT 'yes',
  PRIMARY KEY (`option_id`),
  UNIQUE KEY `option_name` (`option_name`),
  KEY `autoload` (`autoload`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

INSERT INTO `gx_options` VALUES (1,'siteurl','http://example.test','yes'),(2,'blogname','Plots; & \"beds\"','yes');

DROP TABLE IF EXISTS `gx_posts`;
CREATE TABLE `gx_posts` (
  `ID` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `post_author` bigint(20) unsigned NOT NULL DEFAULT '0',
  `post_date` datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  `post_content` longtext NOT NULL,
  `post_title` text NOT NULL,
  `post_status` varchar(20) NOT NULL DEFAULT 'publish',
  `post_name` varchar(200) NOT NULL DEFAULT '',
  `post_parent` bigint(20) unsigned NOT NULL DEFAULT '0',
  `menu_order` int(11) NOT NULL DEFAULT '0',
  `comment_count` bigint(20) NOT NULL DEFAULT '0',
  PRIMARY KEY (`ID`),
  KEY `post_name` (`post_name`(191)),
  KEY `type_status_date` (`post_status`,`post_date`,`ID`),
  KEY `post_parent` (`post_parent`),
  FULLTEXT KEY `post_search` (`post_title`,`post_content`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

DROP TABLE IF EXISTS `gx_postmeta`;
CREATE TABLE `gx_postmeta` (
  `meta_id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `post_id` bigint(20) unsigned NOT NULL DEFAULT '0',
  `meta_key` varchar(255) DEFAULT NULL,
  `meta_value` longtext,
  PRIMARY KEY (`meta_id`),
  KEY `post_id` (`post_id`),
  KEY `meta_key` (`meta_key`(191))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

-- Shop-engine style: comments on every column, quoted decimal defaults, ROW_FORMAT.
CREATE TABLE `catalog_product_entity` (
  `entity_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
  `attribute_set_id` smallint(5) unsigned NOT NULL DEFAULT '0' COMMENT 'Attribute Set ID',
  `type_id` varchar(32) NOT NULL DEFAULT 'simple' COMMENT 'Type ID',
  `sku` varchar(64) DEFAULT NULL COMMENT 'SKU',
  `price` decimal(20,6) NOT NULL DEFAULT '0.000000' COMMENT 'Price',
  `weight` decimal(12,4) DEFAULT '-1.5000' COMMENT 'Weight; may be "unknown"',
  `has_options` smallint(6) NOT NULL DEFAULT '0' COMMENT 'Has Options',
  `created_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Creation Time',
  `updated_at` timestamp NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP COMMENT 'Update Time',
  `attrs` json DEFAULT NULL COMMENT 'free attributes',
  `brand` varchar(100) GENERATED ALWAYS AS (json_unquote(json_extract(`attrs`,'$.brand'))) VIRTUAL COMMENT 'from attrs',
  PRIMARY KEY (`entity_id`),
  KEY `CATALOG_PRODUCT_ENTITY_ATTRIBUTE_SET_ID` (`attribute_set_id`),
  KEY `CATALOG_PRODUCT_ENTITY_SKU` (`sku`),
  KEY `CATALOG_PRODUCT_ENTITY_BRAND` (`brand`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 ROW_FORMAT=DYNAMIC COMMENT='Catalog Product Table';

CREATE TABLE `catalog_category_product` (
  `entity_id` int(11) NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
  `category_id` int(10) unsigned NOT NULL DEFAULT '0' COMMENT 'Category ID',
  `product_id` int(10) unsigned NOT NULL DEFAULT '0' COMMENT 'Product ID',
  `position` int(11) NOT NULL DEFAULT '0' COMMENT 'Position',
  PRIMARY KEY (`entity_id`,`category_id`,`product_id`),
  UNIQUE KEY `CATALOG_CATEGORY_PRODUCT_CATEGORY_ID_PRODUCT_ID` (`category_id`,`product_id`),
  KEY `CATALOG_CATEGORY_PRODUCT_PRODUCT_ID` (`product_id`),
  CONSTRAINT `CAT_CTGR_PRD_PRD_ID_CAT_PRD_ENTT_ENTT_ID` FOREIGN KEY (`product_id`) REFERENCES `catalog_product_entity` (`entity_id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COMMENT='Catalog Product To Category Linkage Table';

-- Drupal style: a cache table with a blob, and a MEMORY table, whose keys are HASH ones
-- unless declared BTREE. (An InnoDB key's declared USING BTREE is not kept: only SHOW
-- CREATE TABLE tells it from an undeclared one.)
CREATE TABLE `cache_bootstrap` (
  `cid` varchar(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '' COMMENT 'Primary Key: Unique cache ID.',
  `data` longblob DEFAULT NULL COMMENT 'A collection of data to cache.',
  `expire` int(11) NOT NULL DEFAULT 0 COMMENT 'A Unix timestamp…',
  `created` decimal(14,3) NOT NULL DEFAULT 0.000,
  `serialized` smallint(6) NOT NULL DEFAULT 0,
  `tags` longtext DEFAULT NULL,
  `checksum` varchar(255) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  PRIMARY KEY (`cid`),
  KEY `expire` (`expire`),
  KEY `created` (`created`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Storage for the cache API.';

CREATE TABLE `semaphore` (
  `name` varchar(255) NOT NULL DEFAULT '',
  `value` varchar(255) NOT NULL DEFAULT '',
  `expire` double NOT NULL,
  PRIMARY KEY (`name`),
  KEY `value` (`value`) USING BTREE,
  KEY `expire` (`expire`) USING HASH
) ENGINE=MEMORY DEFAULT CHARSET=utf8mb3;

-- Garden plots: odd ENUM/SET values, a sequence. (A column's SRID other than 0 is refused
-- by name: tests/inspect/test_mysql_objects.py.)
CREATE SEQUENCE `plot_no` start with 100 minvalue 100 maxvalue 9999 increment by 1 cache 0 cycle ENGINE=InnoDB;
SELECT SETVAL(`plot_no`, 123, 0);

CREATE TABLE `plot` (
  `plot_id` int(10) unsigned zerofill NOT NULL DEFAULT nextval(`plot_no`),
  `outline` polygon NOT NULL,
  `gate` point NOT NULL /*!80003 SRID 0 */,
  `soil` enum('clay','loam ','sand\\silt','peat, wet','über','') NOT NULL DEFAULT '',
  `crops` set('bean','pea','it''s kale','') DEFAULT '',
  `since` year NOT NULL DEFAULT '2000',
  `flags` bit(8) NOT NULL DEFAULT b'10000001',
  `fee` float(7,4) unsigned DEFAULT '12.5000',
  `area_m2` double unsigned DEFAULT NULL,
  `area_ha` double GENERATED ALWAYS AS (`area_m2` / 10000) STORED,
  `checked_on` date DEFAULT curdate(),
  `ref` char(36) NOT NULL DEFAULT uuid(),
  `raw` varchar(16) CHARACTER SET binary DEFAULT NULL,
  `tiny_note` tinytext CHARACTER SET latin1 COLLATE latin1_general_cs DEFAULT 'n/a',
  PRIMARY KEY (`plot_id`),
  SPATIAL KEY `plot_outline` (`outline`),
  SPATIAL KEY `plot_gate` (`gate`),
  KEY `plot_soil_since` (`soil`,`since` DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Parzellen; a ''plot'' is a bed';

CREATE TABLE `tenant` (
  `plot_id` int(10) unsigned zerofill NOT NULL,
  `seq` tinyint(3) unsigned NOT NULL,
  `name` varchar(80) NOT NULL,
  `mentor_plot` int(10) unsigned zerofill DEFAULT NULL,
  `mentor_seq` tinyint(3) unsigned DEFAULT NULL,
  PRIMARY KEY (`plot_id`,`seq`),
  KEY `tenant_mentor` (`mentor_plot`,`mentor_seq`),
  CONSTRAINT `tenant_plot` FOREIGN KEY (`plot_id`) REFERENCES `plot` (`plot_id`) ON UPDATE CASCADE,
  CONSTRAINT `tenant_mentor` FOREIGN KEY (`mentor_plot`, `mentor_seq`) REFERENCES `tenant` (`plot_id`, `seq`) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `ñandú` (
  `id` int NOT NULL,
  `größe` decimal(5,2) DEFAULT NULL,
  `key` varchar(10) DEFAULT NULL,
  `desc` varchar(10) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `key` (`key`,`desc`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE VIEW `plot_label` (`plot`, `label`) AS
  SELECT p.plot_id, CONCAT('Plot ', p.plot_id, ' (', p.soil, ')') FROM plot p;

CREATE VIEW `everyone` AS
  SELECT name AS who, 'tenant' AS role FROM tenant
  UNION ALL
  SELECT CAST(option_value AS CHAR(80)) COLLATE utf8mb4_unicode_ci, 'option' FROM gx_options WHERE option_name = 'blogname';

CREATE VIEW `busy_plot` AS
  SELECT l.plot, l.label, (SELECT COUNT(*) FROM tenant t WHERE t.plot_id = l.plot) AS tenants
  FROM plot_label l
  WHERE EXISTS (SELECT 1 FROM tenant t WHERE t.plot_id = l.plot);

DELIMITER ;;
CREATE FUNCTION `plot_code`(p INT UNSIGNED) RETURNS varchar(20) CHARSET utf8mb4 COLLATE utf8mb4_unicode_ci
    NO SQL
    DETERMINISTIC
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE s VARCHAR(20) DEFAULT '';
  REPEAT
    SET s = CONCAT(s, CHAR(65 + (p + i) MOD 26));
    SET i = i + 1;
  UNTIL i >= 3 END REPEAT;
  RETURN CONCAT(s, '-', LPAD(p, 4, '0'));
END ;;
CREATE PROCEDURE `rename_tenant`(IN p_plot INT UNSIGNED, IN p_seq TINYINT UNSIGNED, IN p_name VARCHAR(80), OUT p_old VARCHAR(80))
    MODIFIES SQL DATA
    SQL SECURITY DEFINER
    COMMENT 'Ändert den Namen'
proc: BEGIN
  DECLARE n INT DEFAULT 0;
  SELECT name INTO p_old FROM tenant WHERE plot_id = p_plot AND seq = p_seq;
  IF p_old IS NULL THEN
    LEAVE proc;
  END IF;
  WHILE n < 1 DO
    UPDATE tenant SET name = p_name WHERE plot_id = p_plot AND seq = p_seq;
    SET n = n + 1;
  END WHILE;
END ;;
CREATE TRIGGER `tenant_bd` BEFORE DELETE ON `tenant` FOR EACH ROW
BEGIN
  IF OLD.seq = 1 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the first tenant stays', MYSQL_ERRNO = 1644;
  END IF;
END ;;
CREATE TRIGGER `plot_ai` AFTER INSERT ON `plot` FOR EACH ROW
  INSERT INTO gx_postmeta (post_id, meta_key, meta_value) VALUES (0, 'plot', NEW.plot_id) ;;
DELIMITER ;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
