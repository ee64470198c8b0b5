"""Routines of a schema other than the default one, in a realm (``schemas = [...]``):
created, replaced, dropped and commented on under their own schema's name, never the
default schema's (a function ``app.f`` created as ``f`` would replace ``public.f``).
Judged on a real server by pg_dump and by calling the functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbshift.dialects import renderer_for
from dbshift.diff import diff
from dbshift.inspect.realm import inspect_realm
from dbshift.model import Schema
from tests.conftest import Database, scratch_database
from tests.corpus.test_postgres_corpus import dump, psql

pytestmark = pytest.mark.postgres

COMMON = """
CREATE SCHEMA app;
CREATE FUNCTION public.f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x';
COMMENT ON FUNCTION public.f(int) IS 'the default schema''s f';
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql
    AS 'BEGIN NEW.total := coalesce(NEW.total, 0); RETURN NEW; END';
"""
V1 = (
    COMMON
    + """
CREATE FUNCTION app.f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
CREATE TABLE app.orders (id int, total int DEFAULT app.f(1));
CREATE PROCEDURE app.p() LANGUAGE sql AS 'SELECT 1';
CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int);
CREATE TRIGGER orders_touch BEFORE INSERT ON app.orders FOR EACH ROW
    EXECUTE FUNCTION app.touch();
CREATE VIEW app.v AS SELECT app.total(id) AS n, public.f(1) AS g FROM app.orders;
COMMENT ON FUNCTION app.f(int) IS 'app''s f';
COMMENT ON PROCEDURE app.p() IS 'app''s p';
COMMENT ON AGGREGATE app.total(int) IS 'app''s total';
COMMENT ON TRIGGER orders_touch ON app.orders IS 'fills total';
"""
)
# app.f changes under the table default that calls it (replaced in place), app.p changes
# (dropped and created), the aggregate and the view go, comments change and go.
V2 = (
    COMMON
    + """
CREATE FUNCTION app.f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 2';
CREATE TABLE app.orders (id int, total int DEFAULT app.f(1));
CREATE PROCEDURE app.p() LANGUAGE sql AS 'SELECT 2';
CREATE TRIGGER orders_touch BEFORE INSERT ON app.orders FOR EACH ROW
    EXECUTE FUNCTION app.touch();
COMMENT ON FUNCTION app.f(int) IS 'app''s f, again';
COMMENT ON PROCEDURE app.p() IS 'app''s p';
"""
)
SCHEMAS = ("public", "app")


def realm(database: Database) -> Schema:
    with database.connect() as conn:
        return inspect_realm(conn, schemas=SCHEMAS)


def apply(target: Database, desired: Schema) -> list[str]:
    current = realm(target)
    sql = renderer_for("postgresql").render(diff(current, desired), current)
    psql(target.url, "".join(f"{s};\n" for s in sql))
    assert diff(realm(target), desired) == []
    return sql


def calls(target: Database) -> tuple[int, int]:
    with target.connect() as conn:
        row = conn.exec_driver_sql("SELECT public.f(1), app.f(1)").one()
        return int(row[0]), int(row[1])


def test_routines_of_another_schema_keep_its_name_up_and_back(tmp_path: Path) -> None:
    with (
        scratch_database("postgresql", tmp_path / "1") as one,
        scratch_database("postgresql", tmp_path / "2") as two,
        scratch_database("postgresql", tmp_path / "t") as target,
    ):
        psql(one.url, V1)
        psql(two.url, V2)
        v1, v2 = realm(one), realm(two)
        assert {(r.schema, r.name) for r in v1.routines} >= {("app", "f"), (None, "f")}
        assert any(c.schema == "app" for c in v1.comments)  # read, not left out

        created = apply(target, v1)
        assert calls(target) == (1, 2)  # public.f was not replaced by app's
        assert dump(target.url) == dump(one.url)
        assert any(s.startswith('CREATE OR REPLACE FUNCTION "app"."f"(') for s in created)
        assert "COMMENT ON AGGREGATE \"app\".\"total\"(integer) IS 'app''s total'" in created

        changed = apply(target, v2)
        assert calls(target) == (1, 3)
        assert dump(target.url) == dump(two.url)
        assert 'DROP AGGREGATE "app"."total"(integer)' in changed
        assert 'DROP PROCEDURE "app"."p"()' in changed

        apply(target, v1)  # and back
        assert calls(target) == (1, 2)
        assert dump(target.url) == dump(one.url)

        gone = apply(target, Schema())
        assert 'DROP FUNCTION "app"."f"(x integer)' in gone
        assert 'DROP FUNCTION "f"(x integer)' in gone


def test_a_hand_written_definition_naming_another_routine_is_refused() -> None:
    from dbshift.dialects.render import Unsupported
    from dbshift.model import Routine
    from dbshift.ops import CreateRoutine

    odd = Routine(
        kind="function",
        name="f",
        signature="",
        schema="app",
        definition="CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    )
    with pytest.raises(Unsupported, match="its definition creates g"):
        renderer_for("postgresql").render([CreateRoutine(odd)], Schema())
    qualified = Routine(
        kind="function",
        name="f",
        signature="",
        schema="app",
        definition='CREATE FUNCTION "app".f() RETURNS int LANGUAGE sql AS $$SELECT 1$$',
    )
    assert renderer_for("postgresql").render([CreateRoutine(qualified)], Schema()) == [
        qualified.definition
    ]


def test_dependency_names_in_a_realm_name_each_schema(tmp_path: Path) -> None:
    with scratch_database("postgresql", tmp_path / "1") as one:
        psql(one.url, V1)
        model = realm(one)
    from dbshift.model.depends import ROUTINE, TABLE, ident

    view = next(v for v in model.views if v.name == "v")
    assert set(view.depends_on) == {
        ident(ROUTINE, "app", "total", "integer"),
        ident(ROUTINE, None, "f", "x integer"),  # the default schema's, as the realm names it
        ident(TABLE, "app", "orders"),
    }
    orders = next(t for t in model.tables if t.name == "orders")
    assert orders.depends_on == (ident(ROUTINE, "app", "f", "x integer"),)
