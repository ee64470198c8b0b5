"""A kept table's parents change (PostgreSQL ``ALTER TABLE … INHERIT`` / ``NO INHERIT``):
each case converges on a real server (``converge``), and the migrated database is judged
by the server itself: ``pg_inherits`` and ``pg_dump --schema-only`` against the desired
DDL run into a database of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy

from dbshift.dialects import renderer_for
from dbshift.dialects.render import Unsupported
from dbshift.diff import diff
from dbshift.errors import Irreversible
from dbshift.inspect.postgres import inspect_postgres
from dbshift.ops import InheritTable, NoInheritTable
from tests.conftest import scratch_database
from tests.corpus.test_postgres_corpus import dump, psql
from tests.inspect.test_postgres import conn, converge, run

pytestmark = pytest.mark.postgres
__all__ = ["conn"]

PARENTS = """
CREATE TABLE animals (id int NOT NULL, name text DEFAULT 'x',
    CONSTRAINT named CHECK (name <> ''));
COMMENT ON COLUMN animals.name IS 'the parent''s';
CREATE TABLE tags (tag text);
"""


def parents_of(conn: sqlalchemy.Connection, table: str) -> list[str]:
    rows = conn.exec_driver_sql(
        "SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent "
        f"WHERE i.inhrelid = '{table}'::regclass ORDER BY i.inhseqno"
    )
    return [r[0] for r in rows]


def test_a_child_leaves_its_parent_and_keeps_the_columns_it_had_from_it(
    conn: sqlalchemy.Connection,
) -> None:
    ops = converge(
        conn,
        PARENTS + "CREATE TABLE pets (owner text) INHERITS (animals, tags);",
        PARENTS
        + """
        CREATE TABLE pets (id int NOT NULL, name text DEFAULT 'x', owner text,
            CONSTRAINT named CHECK (name <> '')) INHERITS (tags);
        """,
    )
    leave = [op for op in ops if isinstance(op, NoInheritTable)]
    assert [op.describe() for op in ops] == ["no inherit pets from animals"]
    assert leave[0].adopted == ("id", "name", "check named")
    with pytest.raises(Irreversible, match="id, name, check named became the child's own"):
        leave[0].reverse()
    run(conn, "SET search_path = a")
    assert parents_of(conn, "pets") == ["tags"]
    run(conn, "INSERT INTO pets (id, owner) VALUES (1, 'me')")
    assert conn.exec_driver_sql("SELECT count(*) FROM animals").scalar_one() == 0
    run(conn, "SET search_path = public")


def test_a_table_joins_parents_in_order_and_leaves_again(conn: sqlalchemy.Connection) -> None:
    ops = converge(
        conn,
        PARENTS
        + """
        CREATE TABLE pets (id int NOT NULL, name text DEFAULT 'x', tag text, owner text,
            CONSTRAINT named CHECK (name <> ''));
        """,
        PARENTS
        + """
        CREATE TABLE pets (id int NOT NULL, name text DEFAULT 'x', tag text, owner text,
            CONSTRAINT named CHECK (name <> '')) INHERITS (animals, tags);
        """,
        reverse=True,  # nothing adopted: NO INHERIT undoes INHERIT exactly
    )
    assert ops == [
        InheritTable(on=(None, "pets"), parent="animals"),
        InheritTable(on=(None, "pets"), parent="tags"),
    ]


def test_parents_in_another_order_leave_and_join_again(conn: sqlalchemy.Connection) -> None:
    # A parent without columns (a marker): with columns, the order of the child's columns
    # would follow its parents' order too, and no ALTER moves a column.
    marker = "CREATE TABLE audited ();"
    child = """
        CREATE TABLE pets (id int NOT NULL, name text DEFAULT 'x', tag text,
            CONSTRAINT named CHECK (name <> '')) INHERITS """
    ops = converge(
        conn,
        f"{PARENTS} {marker} {child} (animals, tags, audited);",
        f"{PARENTS} {marker} {child} (animals, audited, tags);",
        reverse=True,
    )
    assert [op.describe() for op in ops] == [
        "no inherit pets from audited",
        "no inherit pets from tags",
        "inherit pets from audited",
        "inherit pets from tags",
    ]


def test_a_child_joins_a_new_parent_after_it_and_its_columns_exist(
    conn: sqlalchemy.Connection,
) -> None:
    ops = converge(
        conn,
        "CREATE TABLE pets (id int NOT NULL);",
        """
        CREATE TABLE base (id int NOT NULL, owner text, CONSTRAINT positive CHECK (id > 0));
        CREATE TABLE pets (id int NOT NULL, owner text, CONSTRAINT positive CHECK (id > 0))
            INHERITS (base);
        """,
        reverse=True,
    )
    described = [op.describe() for op in ops]
    assert described.index("create table base") < described.index("inherit pets from base")
    assert described.index("add column pets.owner") < described.index("inherit pets from base")


def test_a_child_that_would_have_the_parents_columns_only_from_it_is_refused(
    conn: sqlalchemy.Connection,
) -> None:
    run(conn, "CREATE SCHEMA a; CREATE SCHEMA b")
    run(conn, "SET search_path = a; " + PARENTS + "CREATE TABLE pets (owner text)")
    run(
        conn,
        "SET search_path = b; " + PARENTS + "CREATE TABLE pets (owner text) INHERITS (animals)",
    )
    a, b = inspect_postgres(conn, schema="a"), inspect_postgres(conn, schema="b")
    run(conn, "SET search_path = public")
    with pytest.raises(Unsupported, match="does not declare id, name, check named"):
        diff(a, b)


def test_migrated_inheritance_dumps_as_the_desired_ddl(tmp_path: Path) -> None:
    """One table leaves its parent, another joins two: pg_dump of the migrated database is
    pg_dump of the desired DDL run by psql (columns a child declares itself are dumped in
    its CREATE TABLE, inherited-only ones are not: the dump tells the two apart)."""
    dogs = "CREATE TABLE dogs (id int NOT NULL, name text, tag text, breed text, " + (
        "CONSTRAINT named CHECK (name <> ''))"
    )
    start = f"{PARENTS} CREATE TABLE pets (owner text) INHERITS (animals); {dogs};"
    desired = (
        f"{PARENTS} CREATE TABLE pets (id int NOT NULL, name text DEFAULT 'x', owner text, "
        f"CONSTRAINT named CHECK (name <> '')); {dogs} INHERITS (animals, tags);"
    )
    with (
        scratch_database("postgresql", tmp_path / "t") as target,
        scratch_database("postgresql", tmp_path / "r") as reference,
    ):
        psql(target.url, start)
        psql(reference.url, desired)
        assert dump(target.url) != dump(reference.url)
        t_engine, r_engine = target.engine(), reference.engine()
        try:
            with t_engine.connect() as t, r_engine.connect() as r:
                current = inspect_postgres(t, schema="public")
                wanted = inspect_postgres(r, schema="public")
                sql = renderer_for("postgresql").render(diff(current, wanted), current)
                psql(target.url, "".join(f"{s};\n" for s in sql))
                assert parents_of(t, "pets") == []
                assert parents_of(t, "dogs") == ["animals", "tags"]
        finally:
            t_engine.dispose()
            r_engine.dispose()
        assert dump(target.url) == dump(reference.url)


def test_a_parents_later_column_keeps_its_place_at_the_childs_end_after_no_inherit(
    tmp_path: Path,
) -> None:
    """A column the parent got after the child was created sits after the child's own
    columns (the server appends it to the child): NO INHERIT keeps it there, and the model
    says so, as the server's catalog and pg_dump do; the desired DDL declares that order."""
    start = """
    CREATE TABLE animals (id int NOT NULL);
    CREATE TABLE pets (owner text) INHERITS (animals);
    ALTER TABLE animals ADD COLUMN born date;
    """
    desired = """
    CREATE TABLE animals (id int NOT NULL, born date);
    CREATE TABLE pets (id int NOT NULL, owner text, born date);
    """
    with (
        scratch_database("postgresql", tmp_path / "t") as target,
        scratch_database("postgresql", tmp_path / "r") as reference,
    ):
        psql(target.url, start)
        psql(reference.url, desired)
        t_engine, r_engine = target.engine(), reference.engine()
        try:
            with t_engine.connect() as t, r_engine.connect() as r:
                current = inspect_postgres(t, schema="public")
                wanted = inspect_postgres(r, schema="public")
                ops = diff(current, wanted)
                assert [op.describe() for op in ops] == ["no inherit pets from animals"]
                predicted = ops[0].apply(current).table("pets")
                assert predicted is not None
                assert [c.name for c in predicted.columns] == ["id", "owner", "born"]
                sql = renderer_for("postgresql").render(ops, current)
                psql(target.url, "".join(f"{s};\n" for s in sql))
                migrated = inspect_postgres(t, schema="public")
                assert migrated.table("pets") == predicted
                assert migrated == wanted
        finally:
            t_engine.dispose()
            r_engine.dispose()
        assert dump(target.url) == dump(reference.url)
