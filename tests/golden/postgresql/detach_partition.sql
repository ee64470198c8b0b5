ALTER TABLE "orders" DETACH PARTITION "orders 2023";
DO $dbshift$
DECLARE r record;
BEGIN
    FOR r IN SELECT conname FROM pg_constraint
             WHERE conrelid = '"orders 2023"'::regclass
             ORDER BY contype = 'p', contype = 'u' LOOP
        EXECUTE 'ALTER TABLE ' || '"orders 2023"' || ' DROP CONSTRAINT ' || quote_ident(r.conname);
    END LOOP;
    FOR r IN SELECT indexrelid::regclass AS ix FROM pg_index
             WHERE indrelid = '"orders 2023"'::regclass LOOP
        EXECUTE 'DROP INDEX ' || r.ix::text;
    END LOOP;
END
$dbshift$;
