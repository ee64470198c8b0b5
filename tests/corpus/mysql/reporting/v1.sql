-- A reporting database on MySQL/MariaDB: campaign facts partitioned by date (RANGE over
-- TO_DAYS), by region (LIST COLUMNS) and by id (HASH, LINEAR KEY), summary tables kept by
-- a trigger and a procedure, and views over them. Partitioned tables take no foreign keys
-- (InnoDB), and each of their unique keys holds the partitioning columns.
CREATE TABLE campaigns (
    id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code varchar(30) NOT NULL UNIQUE,
    channel enum('search','social','email') NOT NULL,
    started_on date NOT NULL,
    budget decimal(12,2) NULL CHECK (budget IS NULL OR budget > 0)
);
CREATE TABLE impressions (
    campaign_id int NOT NULL,
    shown_at datetime NOT NULL,
    cost_micros bigint NOT NULL DEFAULT 0,
    KEY ix_impressions_campaign (campaign_id, shown_at)
) PARTITION BY RANGE (TO_DAYS(shown_at)) (
    PARTITION p2025q3 VALUES LESS THAN (TO_DAYS('2025-10-01')),
    PARTITION p2025q4 VALUES LESS THAN (TO_DAYS('2026-01-01')) COMMENT 'closing quarter',
    PARTITION pfuture VALUES LESS THAN MAXVALUE
);
CREATE TABLE conversions (
    id bigint NOT NULL AUTO_INCREMENT,
    campaign_id int NOT NULL,
    region char(2) NOT NULL,
    converted_on date NOT NULL,
    revenue decimal(12,2) NOT NULL,
    PRIMARY KEY (id, region),
    KEY ix_conversions_day (converted_on)
) PARTITION BY LIST COLUMNS (region) (
    PARTITION emea VALUES IN ('fr','de','gb'),
    PARTITION amer VALUES IN ('us','ca','br'),
    PARTITION apac VALUES IN ('jp','au')
);
CREATE TABLE sessions (
    id bigint NOT NULL,
    visitor_id bigint NOT NULL,
    started_at datetime NOT NULL,
    pages smallint NOT NULL DEFAULT 1,
    PRIMARY KEY (id)
) PARTITION BY HASH (id) PARTITIONS 4;
CREATE TABLE raw_events (
    id bigint NOT NULL,
    payload varchar(2000) NOT NULL,
    PRIMARY KEY (id)
) PARTITION BY LINEAR KEY (id) PARTITIONS 2;
CREATE TABLE daily_campaign_summary (
    day date NOT NULL,
    campaign_id int NOT NULL,
    impressions bigint NOT NULL DEFAULT 0,
    conversions int NOT NULL DEFAULT 0,
    revenue decimal(14,2) NOT NULL DEFAULT 0,
    PRIMARY KEY (day, campaign_id)
) PARTITION BY RANGE COLUMNS (day) (
    PARTITION s2025 VALUES LESS THAN ('2026-01-01'),
    PARTITION s2026 VALUES LESS THAN ('2027-01-01')
);
CREATE TABLE monthly_region_summary (
    month char(7) NOT NULL,
    region char(2) NOT NULL,
    revenue decimal(16,2) NOT NULL,
    PRIMARY KEY (month, region)
) COMMENT='rebuilt by refresh_region_summary';
CREATE FUNCTION micros_to_money(m bigint) RETURNS decimal(14,2) DETERMINISTIC NO SQL
    RETURN m / 1000000;
CREATE PROCEDURE refresh_region_summary(IN wanted char(7)) MODIFIES SQL DATA
    REPLACE INTO monthly_region_summary (month, region, revenue)
    SELECT wanted, region, sum(revenue) FROM conversions
    WHERE date_format(converted_on, '%Y-%m') = wanted GROUP BY region;
CREATE TRIGGER conversions_summary AFTER INSERT ON conversions FOR EACH ROW
    INSERT INTO daily_campaign_summary (day, campaign_id, conversions, revenue)
    VALUES (NEW.converted_on, NEW.campaign_id, 1, NEW.revenue)
    ON DUPLICATE KEY UPDATE conversions = conversions + 1, revenue = revenue + NEW.revenue;
CREATE VIEW campaign_performance AS
    SELECT c.code, c.channel, s.day, s.impressions, s.conversions, s.revenue
    FROM daily_campaign_summary s JOIN campaigns c ON c.id = s.campaign_id;
CREATE VIEW spend_by_campaign AS
    SELECT campaign_id, micros_to_money(sum(cost_micros)) AS spend
    FROM impressions GROUP BY campaign_id;
