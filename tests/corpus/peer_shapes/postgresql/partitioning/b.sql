CREATE TABLE measure (id integer, at date NOT NULL, v numeric) PARTITION BY RANGE (at);
CREATE TABLE measure_2026 PARTITION OF measure FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE measure_2027 PARTITION OF measure FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
CREATE INDEX measure_at ON measure (at);
