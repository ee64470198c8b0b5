CREATE TABLE log_line (id serial PRIMARY KEY, msg text);
CREATE PROCEDURE write_log(m text) LANGUAGE sql AS $$ INSERT INTO log_line (msg) VALUES (upper(m)) $$;
CREATE PROCEDURE clear_log() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM log_line; END $$;
