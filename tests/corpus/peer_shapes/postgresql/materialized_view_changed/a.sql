CREATE TABLE sale (id integer PRIMARY KEY, amount numeric, region text);
CREATE MATERIALIZED VIEW sale_total AS SELECT region, sum(amount) AS total FROM sale GROUP BY region;
CREATE UNIQUE INDEX sale_total_region ON sale_total (region);
