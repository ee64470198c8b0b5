-- Bicycle repair workshop, written for dbshift's round-trip corpus (not taken from any
-- public schema). Run by the mariadb client into an empty database.
-- No SET NAMES: the client charset a view or routine records is the session's, not the
-- schema's, and dbshift does not carry it (the plan runs under its runner's own).

CREATE TABLE mechanic (
  mechanic_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  full_name VARCHAR(80) NOT NULL,
  badge CHAR(6) CHARACTER SET ascii NOT NULL,
  hourly_rate DECIMAL(6,2) NOT NULL DEFAULT 25.00,
  active TINYINT(1) NOT NULL DEFAULT 1,
  -- keys declared in another order than the server keeps them
  KEY mechanic_name (full_name),
  UNIQUE KEY mechanic_badge (badge),
  PRIMARY KEY (mechanic_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE client (
  client_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  given_name VARCHAR(60) NOT NULL,
  family_name VARCHAR(60) NOT NULL,
  phone VARCHAR(20) CHARACTER SET ascii DEFAULT NULL,
  display_name VARCHAR(121) AS (CONCAT(given_name, ' ', family_name)) VIRTUAL,
  notes TEXT,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  FULLTEXT KEY client_notes (notes),
  KEY client_family (family_name, given_name),
  UNIQUE KEY client_phone (phone),
  PRIMARY KEY (client_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE bike (
  bike_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  client_id INT UNSIGNED NOT NULL,
  frame_no VARCHAR(30) NOT NULL,
  make VARCHAR(40) NOT NULL,
  wheel_inches DECIMAL(4,1) NOT NULL,
  wheel_mm DECIMAL(6,1) AS (wheel_inches * 25.4) STORED,
  PRIMARY KEY (bike_id),
  UNIQUE KEY bike_frame (frame_no),
  KEY bike_make_wheel (make, wheel_mm),
  CONSTRAINT bike_client_fk FOREIGN KEY (client_id) REFERENCES client (client_id)
    ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE job (
  job_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  bike_id INT UNSIGNED NOT NULL,
  mechanic_id SMALLINT UNSIGNED DEFAULT NULL,
  status ENUM('booked','in_progress','waiting_parts','done','collected') NOT NULL DEFAULT 'booked',
  summary VARCHAR(200) NOT NULL,
  hours DECIMAL(5,2) NOT NULL DEFAULT 0.00,
  booked_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  done_at DATETIME DEFAULT NULL,
  audit_note VARCHAR(255) DEFAULT NULL,
  UNIQUE KEY job_bike_booked (bike_id, booked_at),
  KEY job_status (status),
  PRIMARY KEY (job_id),
  FULLTEXT KEY job_summary (summary),
  CONSTRAINT job_bike_fk FOREIGN KEY (bike_id) REFERENCES bike (bike_id),
  CONSTRAINT job_mechanic_fk FOREIGN KEY (mechanic_id) REFERENCES mechanic (mechanic_id)
    ON DELETE SET NULL,
  CONSTRAINT job_hours_sane CHECK (hours >= 0 AND hours < 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX job_done ON job (done_at);

CREATE TABLE part_used (
  job_id INT UNSIGNED NOT NULL,
  line_no TINYINT UNSIGNED NOT NULL,
  sku VARCHAR(24) CHARACTER SET ascii NOT NULL,
  qty SMALLINT UNSIGNED NOT NULL DEFAULT 1,
  unit_price DECIMAL(8,2) NOT NULL,
  line_total DECIMAL(10,2) AS (qty * unit_price) VIRTUAL,
  KEY part_used_sku (sku),
  PRIMARY KEY (job_id, line_no),
  CONSTRAINT part_used_job_fk FOREIGN KEY (job_id) REFERENCES job (job_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Views: literals with charset introducers, SQL SECURITY INVOKER, WITH CHECK OPTION.
CREATE SQL SECURITY INVOKER VIEW open_job AS
  SELECT j.job_id, j.bike_id, j.status, j.summary
  FROM job j
  WHERE j.status IN (_utf8mb3'booked', _utf8mb3'in_progress', _utf8mb3'waiting_parts');

CREATE VIEW waiting_job AS
  SELECT job_id, bike_id, status, summary FROM open_job
  WHERE status = _latin1'waiting_parts'
  WITH CASCADED CHECK OPTION;

CREATE ALGORITHM=MERGE VIEW client_label AS
  SELECT c.client_id, CONCAT(c.display_name, _utf8mb4' <', COALESCE(c.phone, _ascii'no phone'), _utf8mb4'>') AS label
  FROM client c
  WITH LOCAL CHECK OPTION;

CREATE SQL SECURITY INVOKER VIEW mechanic_load AS
  SELECT m.mechanic_id, m.full_name, COUNT(o.job_id) AS open_jobs
  FROM mechanic m LEFT JOIN job o ON o.mechanic_id = m.mechanic_id AND o.status <> _utf8mb3'done'
  GROUP BY m.mechanic_id, m.full_name;

-- Routines and triggers created under a sql_mode other than the server's default.
SET SESSION sql_mode = 'PIPES_AS_CONCAT,NO_ENGINE_SUBSTITUTION';

DELIMITER ;;
CREATE FUNCTION job_label(p_job INT UNSIGNED, p_prefix VARCHAR(10) CHARACTER SET ascii)
  RETURNS VARCHAR(240) CHARSET utf8mb4
  READS SQL DATA
  COMMENT 'prefix || job number || summary'
BEGIN
  DECLARE s VARCHAR(200);
  SELECT summary INTO s FROM job WHERE job_id = p_job;
  RETURN p_prefix || '#' || p_job || ' ' || COALESCE(s, '?');
END ;;

CREATE PROCEDURE close_job(IN p_job INT UNSIGNED, IN p_hours DECIMAL(5,2), OUT p_total DECIMAL(10,2))
  MODIFIES SQL DATA
BEGIN
  UPDATE job SET status = 'done', hours = p_hours, done_at = NOW() WHERE job_id = p_job;
  SELECT COALESCE(SUM(line_total), 0) + p_hours * (
           SELECT m.hourly_rate FROM mechanic m JOIN job j ON j.mechanic_id = m.mechanic_id
           WHERE j.job_id = p_job)
    INTO p_total FROM part_used WHERE job_id = p_job;
END ;;

-- Triggers in the form the server shows back (quoted names, body on the FOR EACH ROW
-- line); the observatory schema has them as people write them.
CREATE TRIGGER `job_bi_defaults` BEFORE INSERT ON `job` FOR EACH ROW BEGIN
  SET NEW.audit_note = 'booked by ' || CURRENT_USER();
END ;;

CREATE TRIGGER `job_bu_stamp` BEFORE UPDATE ON `job` FOR EACH ROW BEGIN
  IF NEW.status = 'done' AND OLD.status <> 'done' THEN
    SET NEW.done_at = COALESCE(NEW.done_at, NOW());
  END IF;
END ;;
DELIMITER ;

SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION';

DELIMITER ;;
-- Several triggers on one table and event, firing in an order their names do not sort
-- in: stamp, then note, then audit.
CREATE TRIGGER `job_bu_note` BEFORE UPDATE ON `job` FOR EACH ROW FOLLOWS `job_bu_stamp` SET NEW.audit_note = CONCAT('status ', NEW.status) ;;

CREATE TRIGGER `job_bu_audit` BEFORE UPDATE ON `job` FOR EACH ROW FOLLOWS `job_bu_note` BEGIN
  IF NEW.hours < OLD.hours THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'hours only go up';
  END IF;
END ;;

CREATE PROCEDURE jobs_for_client(IN p_client INT UNSIGNED, INOUT p_seen INT)
  READS SQL DATA
  SQL SECURITY INVOKER
BEGIN
  SELECT j.job_id, j.status FROM job j JOIN bike b ON b.bike_id = j.bike_id
  WHERE b.client_id = p_client;
  SET p_seen = p_seen + 1;
END ;;
DELIMITER ;

SET SESSION sql_mode = DEFAULT;

DELIMITER ;;
CREATE TRIGGER `part_used_ai` AFTER INSERT ON `part_used` FOR EACH ROW UPDATE job SET status = 'in_progress' WHERE job_id = NEW.job_id AND status = 'booked' ;;
DELIMITER ;
