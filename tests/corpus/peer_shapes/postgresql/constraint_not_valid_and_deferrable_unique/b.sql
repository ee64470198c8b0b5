CREATE TABLE slot (id integer PRIMARY KEY, pos integer, qty integer,
    CONSTRAINT slot_pos_key UNIQUE (pos) DEFERRABLE INITIALLY DEFERRED);
ALTER TABLE slot ADD CONSTRAINT slot_qty_check CHECK (qty > 0) NOT VALID;
