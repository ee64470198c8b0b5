"""Each rewrite classification, proved on the server: PostgreSQL gives a rewritten table a
new ``relfilenode``, InnoDB a rebuilt table a new ``TABLE_ID`` (what ``plan`` reads)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from dbshift.dialects import named
from dbshift.dialects.mysql.type_change import mysql_change
from dbshift.dialects.postgres.type_change import pg_rewrites
from dbshift.model import Column
from dbshift.ops import AlterColumn
from tests.conftest import Database

# (before, after, rewrites) in format_type()'s spelling.
PG_CASES = [
    ("numeric(10,2)", "numeric(12,2)", False),
    ("numeric(10,2)", "numeric", False),
    ("numeric(10,2)", "numeric(12,3)", True),
    ("numeric(12,2)", "numeric(10,2)", True),
    ("numeric", "numeric(12,2)", True),
    ("character varying(10)", "character varying(20)", False),
    ("character varying(10)", "character varying", False),
    ("character varying(10)", "text", False),
    ("character varying(20)", "character varying(10)", True),
    ("text", "character varying", False),
    ("text", "character varying(10)", True),
    ("cidr", "inet", False),
    ("xml", "text", False),
    ("bit varying(4)", "bit varying(8)", False),
    ("bit varying(8)", "bit varying(4)", True),
    ("timestamp(3) without time zone", "timestamp(6) without time zone", False),
    ("timestamp(3) without time zone", "timestamp without time zone", False),
    ("timestamp without time zone", "timestamp(3) without time zone", True),
    ("timestamp(0) with time zone", "timestamp(3) with time zone", False),
    ("time(2) without time zone", "time(4) without time zone", False),
    ("integer", "bigint", True),
    ("integer", "text", True),
    ("character(5)", "character(10)", True),
    ("character(5)", "text", True),
    ("real", "double precision", True),
]


@pytest.mark.parametrize(("before", "after", "rewrites"), PG_CASES)
def test_postgresql_rewrite_classification_matches_relfilenode(
    pg_db: Database, before: str, after: str, rewrites: bool
) -> None:
    assert pg_rewrites(before, after) is rewrites
    with pg_db.connect() as conn:
        conn.exec_driver_sql(f"CREATE TABLE t (id int PRIMARY KEY, c {before})")
        spelled = conn.exec_driver_sql(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 't'::regclass AND attname = 'c'"
        ).scalar()
        assert spelled == before  # the catalog's spelling, as the model keeps it
        conn.exec_driver_sql("INSERT INTO t (id) VALUES (1)")
        node = "SELECT relfilenode FROM pg_class WHERE oid = 't'::regclass"
        first = conn.exec_driver_sql(node).scalar()
        conn.exec_driver_sql(f"ALTER TABLE t ALTER COLUMN c TYPE {after}")
        assert (conn.exec_driver_sql(node).scalar() != first) is rewrites
    op = AlterColumn(on=(None, "t"), before=Column("c", before), after=Column("c", after))
    assert named("postgresql").safety(op).rewrite is rewrites


# (before, after, collation, rebuilds) in COLUMN_TYPE's spelling.
MYSQL_CASES = [
    ("varchar(10)", "varchar(60)", "utf8mb4_general_ci", False),
    ("varchar(10)", "varchar(200)", "latin1_swedish_ci", False),
    ("varchar(300)", "varchar(500)", "latin1_swedish_ci", False),
    ("varchar(60)", "varchar(10)", "utf8mb4_general_ci", True),
    ("varbinary(10)", "varbinary(100)", None, False),
    ("enum('a','b')", "enum('a','b','c')", "utf8mb4_general_ci", False),
    ("enum('a','b')", "enum('b','a')", "utf8mb4_general_ci", True),
    ("set('x','y')", "set('x','y','z')", "utf8mb4_general_ci", False),
    ("int(11)", "bigint(20)", None, True),
    ("decimal(10,2)", "decimal(12,2)", None, True),
]


def _table_id(conn, database: str) -> int:  # type: ignore[no-untyped-def]
    for view in ("INNODB_SYS_TABLES", "INNODB_TABLES"):
        try:
            return int(
                conn.exec_driver_sql(
                    f"SELECT TABLE_ID FROM information_schema.{view} WHERE NAME = %s",
                    (f"{database}/t",),
                ).scalar()
            )
        except Exception:
            continue
    raise AssertionError("no InnoDB table id view")


@pytest.mark.parametrize(("before", "after", "collation", "rebuilds"), MYSQL_CASES)
def test_mysql_rebuild_classification_matches_innodb_table_id(
    mysql_db: Database, before: str, after: str, collation: str | None, rebuilds: bool
) -> None:
    assert mysql_change(before, after, collation=collation).rebuild is rebuilds
    binary = before.startswith(("varbinary", "int", "decimal"))
    charset = "" if binary or collation is None else f" COLLATE {collation}"
    with mysql_db.connect() as conn:
        database = conn.exec_driver_sql("SELECT DATABASE()").scalar()
        conn.exec_driver_sql(
            f"CREATE TABLE t (id int PRIMARY KEY, c {before}{charset}) ENGINE=InnoDB"
        )
        conn.exec_driver_sql("INSERT INTO t (id) VALUES (1)")
        first = _table_id(conn, database)
        # The declared algorithm is refused rather than silently upgraded to a copy.
        how = mysql_change(before, after, collation=collation)
        algorithm = "" if rebuilds else f", ALGORITHM={how.algorithm}, LOCK=NONE"
        conn.exec_driver_sql(f"ALTER TABLE t MODIFY c {after}{charset}{algorithm}")
        assert (_table_id(conn, database) != first) is rebuilds
    op = AlterColumn(
        on=(None, "t"),
        before=Column("c", before, collation=collation),
        after=Column("c", after, collation=collation),
    )
    assert named("mysql").safety(op).rewrite is rebuilds


def test_diff_of_a_widened_numeric_is_not_a_rewrite_nor_a_lint_error(
    pg_db: Database, tmp_path: Path
) -> None:
    from tests.conftest import POSTGRES_URL, Project

    project = Project(tmp_path, pg_db.url)
    project.write(
        "1_t.sql", "-- dbshift:up\nCREATE TABLE t (id int PRIMARY KEY, n numeric(10,2));\n"
    )
    assert project.run("migrate").code == 0
    (tmp_path / "next.sql").write_text("CREATE TABLE t (id int PRIMARY KEY, n numeric(12,2));\n")
    result = project.run(
        "diff",
        "--from",
        pg_db.url,
        "--to",
        "next.sql",
        "--dev-url",
        POSTGRES_URL,
        "--format",
        "json",
        "--lint",
        url=False,
    )
    assert result.code == 0, result.err
    (step,) = json.loads(result.out)
    assert step["rewrite"] is False and step["breaking"] is False
    assert step["sql"] == ['ALTER TABLE "t" ALTER COLUMN "n" TYPE numeric(12,2)']
    assert "error" not in result.err


def test_mysql_widening_is_written_with_its_algorithm_and_runs(mysql_db: Database) -> None:
    from dbshift.dialects import renderer_for
    from dbshift.model import PrimaryKey, Schema, Table

    before = Column("c", "varchar(10)", collation="utf8mb4_general_ci")
    table = Table(
        "t",
        columns=(Column("id", "int(11)", nullable=False), before),
        primary_key=PrimaryKey(columns=("id",)),
    )
    op = AlterColumn(on=(None, "t"), before=before, after=replace(before, type="varchar(40)"))
    (sql,) = renderer_for("mysql").render([op], Schema(tables=(table,)))
    assert sql.endswith(", ALGORITHM=INPLACE, LOCK=NONE")
    with mysql_db.connect() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE t (id int PRIMARY KEY, c varchar(10) COLLATE utf8mb4_general_ci)"
        )
        conn.exec_driver_sql(sql)
        assert (
            conn.exec_driver_sql(
                "SELECT COLUMN_TYPE FROM information_schema.COLUMNS "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'"
            ).scalar()
            == "varchar(40)"
        )
