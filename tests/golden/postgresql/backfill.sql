DO $dbshift$
DECLARE
    lo "users"."id"%TYPE;
    hi "users"."id"%TYPE;
    high_water "users"."id"%TYPE;
BEGIN
    SELECT min("id"), max("id") INTO lo, high_water FROM "users";
    WHILE lo IS NOT NULL AND lo <= high_water LOOP
        SELECT max("id") INTO hi FROM (SELECT "id" FROM "users" WHERE "id" >= lo ORDER BY "id" LIMIT 500) AS batch;
        UPDATE "users" SET "nick name" = 'x' WHERE "id" BETWEEN lo AND hi AND "nick name" IS NULL;
        COMMIT;
        SELECT min("id") INTO lo FROM "users" WHERE "id" > hi;
    END LOOP;
END
$dbshift$;
