-- Release 2 of the reporting database: the oldest impressions quarter dropped and the
-- catch-all split for the next one (REORGANIZE), a region moved to a new partition, two
-- more hash partitions, another year of summaries, the monthly summary partitioned by key,
-- raw events no longer partitioned; a device column, a return-on-spend view and function.
CREATE TABLE campaigns (
    id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code varchar(30) NOT NULL UNIQUE,
    channel enum('search','social','email','video') NOT NULL,
    started_on date NOT NULL,
    budget decimal(12,2) NULL CHECK (budget IS NULL OR budget > 0)
);
CREATE TABLE impressions (
    campaign_id int NOT NULL,
    shown_at datetime NOT NULL,
    cost_micros bigint NOT NULL DEFAULT 0,
    device enum('desktop','mobile','tv') NOT NULL DEFAULT 'desktop',
    KEY ix_impressions_campaign (campaign_id, shown_at)
) PARTITION BY RANGE (TO_DAYS(shown_at)) (
    PARTITION p2025q4 VALUES LESS THAN (TO_DAYS('2026-01-01')) COMMENT 'closing quarter',
    PARTITION p2026q1 VALUES LESS THAN (TO_DAYS('2026-04-01')),
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
    PARTITION amer VALUES IN ('us','ca'),
    PARTITION apac VALUES IN ('jp','au'),
    PARTITION latam VALUES IN ('br','mx')
);
CREATE TABLE sessions (
    id bigint NOT NULL,
    visitor_id bigint NOT NULL,
    started_at datetime NOT NULL,
    pages smallint NOT NULL DEFAULT 1,
    PRIMARY KEY (id)
) PARTITION BY HASH (id) PARTITIONS 6;
CREATE TABLE raw_events (
    id bigint NOT NULL,
    payload varchar(2000) NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE daily_campaign_summary (
    day date NOT NULL,
    campaign_id int NOT NULL,
    impressions bigint NOT NULL DEFAULT 0,
    conversions int NOT NULL DEFAULT 0,
    revenue decimal(14,2) NOT NULL DEFAULT 0,
    PRIMARY KEY (day, campaign_id)
) PARTITION BY RANGE COLUMNS (day) (
    PARTITION s2025 VALUES LESS THAN ('2026-01-01'),
    PARTITION s2026 VALUES LESS THAN ('2027-01-01'),
    PARTITION s2027 VALUES LESS THAN ('2028-01-01')
);
CREATE TABLE monthly_region_summary (
    month char(7) NOT NULL,
    region char(2) NOT NULL,
    revenue decimal(16,2) NOT NULL,
    PRIMARY KEY (month, region)
) COMMENT='rebuilt by refresh_region_summary'
PARTITION BY KEY (region) PARTITIONS 3;
CREATE FUNCTION micros_to_money(m bigint) RETURNS decimal(14,2) DETERMINISTIC NO SQL
    RETURN m / 1000000;
CREATE FUNCTION return_on_spend(revenue decimal(14,2), spend decimal(14,2))
    RETURNS decimal(10,4) DETERMINISTIC NO SQL
    RETURN CASE WHEN spend > 0 THEN revenue / spend END;
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
    SELECT campaign_id, device, micros_to_money(sum(cost_micros)) AS spend
    FROM impressions GROUP BY campaign_id, device;
CREATE SQL SECURITY INVOKER VIEW campaign_return AS
    SELECT p.code, return_on_spend(sum(p.revenue), max(s.spend)) AS ros
    FROM campaign_performance p JOIN campaigns c ON c.code = p.code
    JOIN spend_by_campaign s ON s.campaign_id = c.id GROUP BY p.code;
