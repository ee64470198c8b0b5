-- Amateur observatory log, written for dbshift's round-trip corpus (not taken from any
-- public schema): the MariaDB spellings seen in other tools' fixtures and dumps that the
-- workshop schema leaves out. Run by the mariadb client into an empty database.

-- Column-level checks (a JSON column's automatic json_valid among them) stay in their
-- column's line; table-level ones keep the order they were declared in, not their names'.
CREATE TABLE `site` (
  `site_id` SMALLINT(5) UNSIGNED ZEROFILL NOT NULL AUTO_INCREMENT,
  `name` VARCHAR(64) NOT NULL,
  `elevation_m` SMALLINT NOT NULL DEFAULT 0 CHECK (`elevation_m` BETWEEN -500 AND 9000),
  `bortle` TINYINT UNSIGNED DEFAULT NULL CHECK (`bortle` BETWEEN 1 AND 9),
  `sky` ENUM('it''s dark','dark, mostly','bright \\ suburban','') NOT NULL DEFAULT 'dark, mostly',
  `gear` SET('dob','refractor','o''scope','binoculars') DEFAULT 'dob,o''scope',
  `founded` YEAR DEFAULT 1999,
  `flags` BIT(4) NOT NULL DEFAULT b'0101',
  `location` POINT NOT NULL,
  `settings` JSON DEFAULT NULL,
  `lat` DECIMAL(8,5) NOT NULL,
  `lon` DECIMAL(8,5) NOT NULL,
  PRIMARY KEY (`site_id`),
  UNIQUE KEY `site_name` (`name`),
  SPATIAL KEY `site_location` (`location`),
  CONSTRAINT `site_lon` CHECK (`lon` BETWEEN -180 AND 180),
  CONSTRAINT `site_lat` CHECK (`lat` BETWEEN -90 AND 90),
  CHECK (`lat` <> 0 OR `lon` <> 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- MariaDB sequences, one of them a column's default (the server qualifies it by the
-- database it is created in).
CREATE SEQUENCE `session_no` START WITH 1000 INCREMENT BY 10 CACHE 20;

-- Foreign keys with actions said and left unsaid: MariaDB records an unsaid one as
-- RESTRICT and shows only a written NO ACTION.
CREATE TABLE `session` (
  `session_id` BIGINT NOT NULL DEFAULT NEXTVAL(`session_no`),
  `site_id` SMALLINT(5) UNSIGNED ZEROFILL NOT NULL,
  `started` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  `ended` DATETIME(3) DEFAULT NULL,
  `touched` TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  `seeing` DECIMAL(3,1) DEFAULT NULL CHECK (`seeing` > 0),
  `hours` DECIMAL(5,2) AS (TIMESTAMPDIFF(MINUTE, `started`, `ended`) / 60) VIRTUAL,
  `night` DATE AS (CAST(`started` AS DATE)) STORED,
  `internal_note` VARCHAR(200) INVISIBLE DEFAULT NULL,
  `weather` JSON NOT NULL DEFAULT ('{}'),
  `token` CHAR(36) NOT NULL DEFAULT (UUID()),
  PRIMARY KEY (`session_id`),
  KEY `session_night` (`night` DESC, `site_id`),
  KEY `session_hours` (`hours`),
  CONSTRAINT `session_site_fk` FOREIGN KEY (`site_id`) REFERENCES `site` (`site_id`)
    ON DELETE NO ACTION ON UPDATE NO ACTION,
  CONSTRAINT `session_window` CHECK (`ended` IS NULL OR `ended` > `started`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Reserved words, a backtick and a space in names; a 64-character table name.
CREATE TABLE `order` (
  `select` INT NOT NULL,
  `from` VARCHAR(100) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL,
  `odd``name` VARCHAR(300) DEFAULT NULL,
  `with space` TEXT,
  `session_id` BIGINT DEFAULT NULL,
  PRIMARY KEY (`select`),
  KEY `from` (`from`(20)),
  KEY `odd``key` (`odd``name`(50), `select` DESC),
  FULLTEXT KEY `with space ft` (`with space`),
  CONSTRAINT `order session` FOREIGN KEY (`session_id`) REFERENCES `session` (`session_id`)
    ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='it''s an "order"';

CREATE TABLE `observation_with_a_name_exactly_sixty_four_characters_long_xyz` (
  `observation_id` INT UNSIGNED NOT NULL AUTO_INCREMENT,
  `session_id` BIGINT NOT NULL,
  `target` VARCHAR(40) NOT NULL,
  `magnitude` FLOAT DEFAULT NULL,
  `notes` TEXT,
  PRIMARY KEY (`observation_id`),
  KEY `observation_target` (`target`) COMMENT 'what was looked at; it''s free text',
  CONSTRAINT `observation_session_fk` FOREIGN KEY (`session_id`) REFERENCES `session` (`session_id`)
    ON DELETE CASCADE ON UPDATE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=COMPACT;

-- Triggers as people write them: bare names, the body on the next line, a comment in
-- it, one that PRECEDES another (the server keeps the text without that clause).
DELIMITER //
CREATE TRIGGER session_bi BEFORE INSERT ON session
FOR EACH ROW
BEGIN
  -- a session without an end is still running; nothing to check yet
  IF NEW.ended IS NOT NULL AND NEW.ended < NEW.started THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'a session ends after it starts';
  END IF;
END//

CREATE TRIGGER session_bi_note
  BEFORE INSERT ON session
  FOR EACH ROW PRECEDES session_bi
  SET NEW.internal_note = COALESCE(NEW.internal_note, 'logged; unreviewed')//

CREATE TRIGGER `order_au` AFTER UPDATE ON `order` FOR EACH ROW
  UPDATE session SET ended = COALESCE(ended, NOW(3)) WHERE session_id = NEW.session_id//

CREATE PROCEDURE close_session(IN p_session BIGINT)
  MODIFIES SQL DATA
  COMMENT 'sets ended; it''s idempotent'
BEGIN
  /* a block comment; with a semicolon */
  UPDATE session SET ended = NOW(3) WHERE session_id = p_session AND ended IS NULL;
END//
DELIMITER ;

CREATE ALGORITHM=TEMPTABLE SQL SECURITY INVOKER VIEW `session summary` AS
  SELECT s.site_id, COUNT(*) AS sessions, SUM(s.hours) AS hours
  FROM session s GROUP BY s.site_id;
