-- A delivery fleet, next release (written for dbshift's round-trip corpus): vans are no
-- longer vehicles. NO INHERIT keeps every column of the van where it was: the parent's
-- later column stays after the van's own (the order pg_dump shows).
CREATE SCHEMA fleet;
CREATE TABLE fleet.vehicle (
    vehicle_id integer NOT NULL,
    plate text NOT NULL,
    CONSTRAINT vehicle_plate_shape CHECK (plate ~ '^[A-Z0-9 ]+$')
);
CREATE TABLE fleet.van (
    payload_kg integer NOT NULL CHECK (payload_kg > 0),
    sliding_door boolean NOT NULL DEFAULT true
) INHERITS (fleet.vehicle);
CREATE TABLE fleet.truck (
    axles smallint NOT NULL DEFAULT 2
) INHERITS (fleet.vehicle);
ALTER TABLE fleet.vehicle ADD COLUMN registered_on date;
ALTER TABLE fleet.van NO INHERIT fleet.vehicle;
COMMENT ON TABLE fleet.van IS 'vans, managed apart from the other vehicles';
