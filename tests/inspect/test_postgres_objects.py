"""PostgreSQL object kinds and dependency order, each converging on a real server: the diff
from one hand-written schema to another, rendered and run, inspects as the target, the
reverse brings the start back, and the target is created from nothing (``converge``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy

from dbshift.cli.main import main
from dbshift.inspect.postgres import inspect_postgres
from tests.conftest import Database
from tests.inspect.test_postgres import conn, converge, run

pytestmark = pytest.mark.postgres
__all__ = ["conn"]


def kinds(ops: list[object]) -> list[str]:
    return [op.describe() for op in ops]  # type: ignore[attr-defined]


def test_a_view_another_view_reads_is_dropped_after_and_created_before_it(
    conn: sqlalchemy.Connection,
) -> None:
    ops = converge(
        conn,
        """
        CREATE TABLE t (id int, v int);
        CREATE VIEW base AS SELECT id, v FROM t;
        CREATE VIEW z_top AS SELECT id FROM base;
        CREATE VIEW a_top AS SELECT count(*) AS n FROM z_top;
        """,
        """
        CREATE TABLE t (id int, v int);
        CREATE VIEW base AS SELECT id, v, v * 2 AS w FROM t;
        CREATE VIEW z_top AS SELECT id FROM base;
        CREATE VIEW a_top AS SELECT count(*) AS n FROM z_top;
        """,
        reverse=True,
    )
    assert kinds(ops) == [
        "drop view a_top",
        "drop view z_top",
        "drop view base",
        "create view base",
        "create view z_top",
        "create view a_top",
    ]


def test_views_over_a_column_whose_type_changes_are_recreated(
    conn: sqlalchemy.Connection,
) -> None:
    ops = converge(
        conn,
        """
        CREATE TABLE t (id int, v int);
        CREATE VIEW v AS SELECT id, v FROM t;
        CREATE VIEW w AS SELECT id FROM v;
        CREATE VIEW other AS SELECT 1 AS one;
        """,
        """
        CREATE TABLE t (id int, v bigint);
        CREATE VIEW v AS SELECT id, v FROM t;
        CREATE VIEW w AS SELECT id FROM v;
        CREATE VIEW other AS SELECT 1 AS one;
        """,
        reverse=True,
    )
    assert kinds(ops) == [
        "drop view w",
        "drop view v",
        "alter column t.v (type)",
        "create view v",
        "create view w",
    ]


def test_aggregates_functions_and_the_views_that_use_them(conn: sqlalchemy.Connection) -> None:
    ops = converge(
        conn,
        """
        CREATE TABLE t (id int PRIMARY KEY, v int);
        CREATE FUNCTION plus(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
        CREATE VIEW uses AS SELECT plus(v) AS p FROM t;
        """,
        """
        CREATE TABLE t (id int PRIMARY KEY, v int);
        CREATE FUNCTION plus(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 2';
        CREATE FUNCTION acc(s int[], x int) RETURNS int[] LANGUAGE sql IMMUTABLE
            AS 'SELECT s || x';
        CREATE AGGREGATE collect(int) (SFUNC = acc, STYPE = int[], INITCOND = '{}');
        CREATE AGGREGATE sum_par(int) (SFUNC = int4pl, STYPE = int, PARALLEL = SAFE);
        CREATE VIEW uses AS SELECT plus(v) AS p, collect(v) AS c, sum_par(v) AS s
            FROM t GROUP BY v;
        CREATE FUNCTION everything() RETURNS SETOF t LANGUAGE sql STABLE
            AS 'SELECT * FROM t';
        CREATE VIEW again AS SELECT * FROM everything();
        """,
        reverse=True,
    )
    described = kinds(ops)
    assert described.index("create function plus") < described.index("create view uses")
    assert described.index("create function acc") < described.index("create aggregate collect")
    assert described.index("create aggregate collect") < described.index("create view uses")
    assert described.index("create function everything") < described.index("create view again")
    assert described[0] == "drop view uses"  # before the function it calls


def test_instead_of_triggers_on_views_follow_their_view(conn: sqlalchemy.Connection) -> None:
    ops = converge(
        conn,
        """
        CREATE TABLE t (id int, v int);
        CREATE VIEW v AS SELECT id, v FROM t;
        CREATE FUNCTION ins() RETURNS trigger LANGUAGE plpgsql AS
            'BEGIN INSERT INTO t VALUES (NEW.id, NEW.v); RETURN NEW; END';
        CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION ins();
        """,
        """
        CREATE TABLE t (id int, v int, w int);
        CREATE VIEW v AS SELECT id, v, w FROM t;
        CREATE FUNCTION ins() RETURNS trigger LANGUAGE plpgsql AS
            'BEGIN INSERT INTO t VALUES (NEW.id, NEW.v, NEW.w); RETURN NEW; END';
        CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION ins();
        """,
        reverse=True,
    )
    described = kinds(ops)
    assert described[0] == "drop trigger v_ins on v"
    assert described[-1] == "create trigger v_ins on v"
    assert {"drop view v", "drop function ins"} <= set(described[1:3])
    # Reversed, a's trigger is the first one again, and fires.
    run(conn, "SET search_path = a; INSERT INTO v VALUES (1, 2)")
    assert conn.exec_driver_sql("SELECT v FROM a.t").scalar_one() == 2


def test_materialized_views_keep_their_indexes_and_follow_their_sources(
    conn: sqlalchemy.Connection,
) -> None:
    converge(
        conn,
        """
        CREATE TABLE t (id int, v int);
        CREATE VIEW src AS SELECT id, v FROM t;
        CREATE MATERIALIZED VIEW m AS SELECT id, sum(v) AS total FROM src GROUP BY id;
        CREATE UNIQUE INDEX m_id ON m (id);
        """,
        """
        CREATE TABLE t (id int, v int);
        CREATE VIEW src AS SELECT id, v + 1 AS v FROM t;
        CREATE MATERIALIZED VIEW m AS SELECT id, sum(v) AS total FROM src GROUP BY id;
        CREATE UNIQUE INDEX m_id ON m (id);
        CREATE INDEX m_total ON m (total DESC);
        """,
        reverse=True,
    )
    m = next(v for v in inspect_postgres(conn, schema="b").views if v.name == "m")
    assert [i.name for i in m.indexes] == ["m_id", "m_total"]


REFUSED = [
    (
        "CREATE FUNCTION ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';"
        "CREATE EVENT TRIGGER audit_ddl ON ddl_command_end EXECUTE FUNCTION ddl()",
        r"event triggers are not supported yet \(audit_ddl\)",
    ),
    (
        "CREATE TABLE t (id int); CREATE RULE no_delete AS ON DELETE TO t DO INSTEAD NOTHING",
        r"rules are not supported yet \(t.no_delete\)",
    ),
    ("CREATE UNLOGGED TABLE scratch (id int)", r"unlogged tables are not supported yet"),
    (
        "CREATE TABLE t (id int) WITH (fillfactor = 70)",
        r"table storage parameters \(WITH \(...\)\) are not supported yet \(t\)",
    ),
    ("CREATE TYPE span AS RANGE (subtype = int)", r"range types are not supported yet \(span\)"),
    (
        "CREATE TABLE p (id int); CREATE TABLE c (x int) INHERITS (p)",
        r"table inheritance \(INHERITS\) are not supported yet \(c INHERITS p\)",
    ),
    (
        "CREATE TABLE t (a int, b int); CREATE STATISTICS ab (dependencies) ON a, b FROM t",
        r"extended statistics are not supported yet \(ab\)",
    ),
    (
        "CREATE TEXT SEARCH CONFIGURATION english2 (COPY = english)",
        r"text search configurations are not supported yet",
    ),
    (
        "CREATE FUNCTION neg(int) RETURNS int LANGUAGE sql AS 'SELECT -$1';"
        "CREATE OPERATOR ~~~ (RIGHTARG = int, FUNCTION = neg)",
        r"operators are not supported yet \(~~~\)",
    ),
    (
        "CREATE TABLE t (v text); ALTER TABLE t ALTER COLUMN v SET STATISTICS 500",
        r"column compression or statistics settings are not supported yet \(t.v\)",
    ),
]


@pytest.mark.parametrize(("ddl", "message"), REFUSED, ids=[m[:24] for _, m in REFUSED])
def test_what_is_not_modelled_is_refused_by_name(
    pg_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], ddl: str, message: str
) -> None:
    engine = pg_db.engine()
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(ddl)
    finally:
        engine.dispose()
    code = main(["inspect", pg_db.url])
    err = capsys.readouterr().err
    assert code != 0
    assert re.search("dbshift: error: " + message, err), err
    assert "Traceback" not in err
