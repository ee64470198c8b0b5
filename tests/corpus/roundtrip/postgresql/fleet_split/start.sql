-- A delivery fleet, earlier release (written for dbshift's round-trip corpus): vans and
-- trucks are kept as vehicles; vehicles later got a registration date, which the server
-- appended to each child after the child's own columns.
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
