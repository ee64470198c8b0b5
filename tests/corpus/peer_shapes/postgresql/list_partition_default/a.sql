CREATE TABLE city_row (id integer, country text NOT NULL) PARTITION BY LIST (country);
CREATE TABLE city_row_fr PARTITION OF city_row FOR VALUES IN ('fr');
CREATE TABLE city_row_de PARTITION OF city_row FOR VALUES IN ('de');
