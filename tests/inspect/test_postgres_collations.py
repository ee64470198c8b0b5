"""A collation whose definition changes while columns, indexes and views use it: swapped
in under them (``RecreateCollation``), converging on a real server, judged by pg_dump of
the migrated database against the desired DDL run into a database of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy

from dbshift.dialects import renderer_for
from dbshift.dialects.render import Unsupported
from dbshift.diff import diff
from dbshift.inspect.postgres import inspect_postgres
from dbshift.model import Schema
from tests.conftest import scratch_database
from tests.corpus.test_postgres_corpus import dump, psql
from tests.inspect.test_postgres import conn, converge, run

pytestmark = pytest.mark.postgres
__all__ = ["conn"]


def schema_with(definition: str) -> str:
    return f"""
    CREATE COLLATION "no case" {definition};
    COMMENT ON COLLATION "no case" IS 'for e-mail';
    CREATE TABLE people (id int PRIMARY KEY, email text COLLATE "no case", nick text,
        tags text[] COLLATE "no case");
    CREATE UNIQUE INDEX people_email ON people (email);
    CREATE INDEX people_nick ON people (nick COLLATE "no case");
    CREATE INDEX people_lower ON people ((lower(nick) COLLATE "no case"));
    CREATE VIEW emails AS SELECT email FROM people;
    CREATE TABLE other (id int, label text);
    -- children: one has email from people only, one declares it too (the server
    -- refuses ALTER on the child's copy: it follows the parent's)
    CREATE TABLE staff (badge int) INHERITS (people);
    CREATE TABLE guests (email text COLLATE "no case", note text) INHERITS (people);
    """


STRICT = "(provider = icu, locale = 'und-u-ks-level3', deterministic = false)"
LOOSE = "(provider = icu, locale = 'und-u-ks-level2', deterministic = false)"


def relfilenodes(conn: sqlalchemy.Connection) -> dict[str, int]:
    rows = conn.exec_driver_sql(
        "SELECT relname, relfilenode FROM pg_class WHERE relnamespace = 'a'::regnamespace"
    )
    return {r[0]: r[1] for r in rows}


def test_a_changed_collation_is_swapped_under_its_columns_indexes_and_views(
    conn: sqlalchemy.Connection,
) -> None:
    ops = converge(conn, schema_with(STRICT), schema_with(LOOSE), reverse=True)
    described = [op.describe() for op in ops]
    assert described == [
        "set comment on collation no case",  # removed while it exists, set again last
        "drop index people_lower on people",  # they name the collation themselves
        "drop index people_nick on people",
        "drop view emails",  # the server refuses the ALTER under a view
        "recreate collation no case",  # people_email is rebuilt by the server
        "create index people_lower on people",
        "create index people_nick on people",
        "create view emails",
        "set comment on collation no case",
    ]
    # Reversed, the old collation is back: it tells case apart again.
    run(conn, "SET search_path = a")
    run(conn, "INSERT INTO people (id, email) VALUES (1, 'a@x'), (2, 'A@X')")
    run(conn, "SET search_path = public")


def test_the_swap_keeps_the_table_and_dumps_as_the_desired_ddl(tmp_path: Path) -> None:
    with (
        scratch_database("postgresql", tmp_path / "t") as target,
        scratch_database("postgresql", tmp_path / "r") as reference,
    ):
        psql(target.url, schema_with(STRICT))
        psql(reference.url, schema_with(LOOSE))
        assert dump(target.url) != dump(reference.url)
        t_engine, r_engine = target.engine(), reference.engine()
        try:
            with t_engine.connect() as t, r_engine.connect() as r:
                files = "SELECT relfilenode FROM pg_class WHERE relname = 'people'"
                before = t.exec_driver_sql(files).scalar_one()
                current = inspect_postgres(t, schema="public")
                wanted = inspect_postgres(r, schema="public")
                sql = renderer_for("postgresql").render(diff(current, wanted), current)
                psql(target.url, "".join(f"{s};\n" for s in sql))
                assert t.exec_driver_sql(files).scalar_one() == before  # no rewrite
                assert diff(inspect_postgres(t, schema="public"), wanted) == []
                # The new collation ignores case: the rebuilt unique index says so.
                t.exec_driver_sql("INSERT INTO people (id, email) VALUES (1, 'a@x')")
                with pytest.raises(sqlalchemy.exc.IntegrityError):
                    t.exec_driver_sql("INSERT INTO people (id, email) VALUES (2, 'A@X')")
        finally:
            t_engine.dispose()
            r_engine.dispose()
        assert dump(target.url) == dump(reference.url)


def test_a_domain_using_a_changed_collation_is_refused_by_name(
    conn: sqlalchemy.Connection,
) -> None:
    run(conn, "CREATE SCHEMA a; CREATE SCHEMA b")
    for schema, definition in (("a", STRICT), ("b", LOOSE)):
        run(
            conn,
            f'SET search_path = {schema}; CREATE COLLATION "no case" {definition}; '
            'CREATE DOMAIN email AS text COLLATE "no case"',
        )
    a, b = inspect_postgres(conn, schema="a"), inspect_postgres(conn, schema="b")
    run(conn, "SET search_path = public")
    with pytest.raises(Unsupported, match="collation no case changes and domain email uses it"):
        diff(a, b)


def test_a_collation_of_another_schema_is_read_qualified_and_generated_whole(
    tmp_path: Path,
) -> None:
    """A column, an index, a domain and a composite type using collations that live in
    another schema (``ext``): read bare, the generated DDL named collations of the
    migrated schema (none there: the run failed), or the wrong ones."""
    collations = """
    CREATE SCHEMA ext;
    CREATE COLLATION ext."Case Insensitive"
        (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
    CREATE COLLATION ext.plain (provider = icu, locale = 'und');
    """
    ddl = """
    CREATE TABLE people (id int PRIMARY KEY, email text COLLATE ext."Case Insensitive",
        nick text);
    CREATE INDEX people_nick ON people (nick COLLATE ext.plain);
    CREATE DOMAIN ci_text AS text COLLATE ext."Case Insensitive";
    CREATE TYPE pair AS (a text COLLATE ext.plain, b int);
    """
    with (
        scratch_database("postgresql", tmp_path / "t") as target,
        scratch_database("postgresql", tmp_path / "r") as reference,
    ):
        psql(reference.url, collations + ddl)
        # The collations are another schema's: there on both sides, made by hand.
        psql(target.url, collations)
        r_engine = reference.engine()
        try:
            with r_engine.connect() as r:
                wanted = inspect_postgres(r, schema="public")
        finally:
            r_engine.dispose()
        people = wanted.table("people")
        assert people is not None and people.column("email") is not None
        assert people.column("email").collation == '"ext"."Case Insensitive"'  # type: ignore[union-attr]
        assert people.indexes[0].elements[0].collation == '"ext"."plain"'
        sql = renderer_for("postgresql").render(diff(Schema(), wanted), Schema())
        psql(target.url, "".join(f"{s};\n" for s in sql))
        assert dump(target.url) == dump(reference.url)
