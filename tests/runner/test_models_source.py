"""A desired schema read from SQLAlchemy models (``--to sqlalchemy:module:attr``), judged
by the server: the SQL dbshift writes from an empty database builds what
``metadata.create_all()`` builds, and a second diff after applying it is empty."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import MYSQL_URL, POSTGRES_URL, Database, Project, scratch_database

DEV = {"postgresql": POSTGRES_URL, "mysql": MYSQL_URL}

SCHEMAS_MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table("accounts", metadata, sa.Column("id", sa.Integer, primary_key=True))
sa.Table(
    "invoices", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id")),
    schema="billing",
)
sa.Table(
    "events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("invoice_id", sa.Integer, sa.ForeignKey("billing.invoices.id")),
    sa.Column("kind", sa.Enum("open", "paid", name="event_kind", schema="audit")),
    schema="audit",
)
"""

IN_LIST_MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table(
    "orders", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("state", sa.String(20)),
    sa.Column("kind", sa.Enum("retail", "bulk", name="order_kind", native_enum=False,
                              create_constraint=True)),
    sa.CheckConstraint("state IN ('new', 'it''s paid')", name="state_known"),
    sa.Index("ix_orders_open", "state", postgresql_where=sa.text("state IN ('new', 'open')")),
)
"""


def _models(project: Project, text: str) -> None:
    (project.root / "models.py").write_text(textwrap.dedent(text), encoding="utf-8")


def _diff(project: Project, url: str, *args: str) -> tuple[int, str, str]:
    backend = url.split(":", 1)[0].split("+")[0]
    dev = DEV.get(backend)
    result = project.run(
        "diff", "--from", url, "--to", "sqlalchemy:models:metadata", "--format", "sql",
        *(["--dev-url", dev] if dev else []), *args, url=False,
    )  # fmt: skip
    return result.code, result.out, result.err


def _apply(db: Database, sql: str) -> None:
    with db.connect() as conn:
        if db.backend == "sqlite":  # one statement per execute, unless as a script
            conn.connection.driver_connection.executescript(sql)
        else:
            conn.exec_driver_sql(sql)


def _catalog(db: Database, query: str) -> list[tuple[object, ...]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(query)]


TABLES = """
SELECT table_schema, table_name, column_name, data_type, udt_schema, udt_name
FROM information_schema.columns
WHERE table_schema IN ('public', 'billing', 'audit') ORDER BY 1, 2, 3
"""
FOREIGN_KEYS = """
SELECT n.nspname, conname, pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE contype = 'f' ORDER BY 1, 2
"""


def test_tables_in_several_schemas_are_built_as_create_all_builds_them(
    pg_db: Database, tmp_path: Path
) -> None:
    import importlib.util

    project = Project(tmp_path, pg_db.url)
    _models(project, SCHEMAS_MODELS)
    scope = ("--schema", "public", "--schema", "billing", "--schema", "audit")
    code, sql, err = _diff(project, pg_db.url, *scope)
    assert code == 0, err
    _apply(pg_db, sql)

    with scratch_database("postgresql", tmp_path / "ref") as ref:
        spec = importlib.util.spec_from_file_location("sqla_models_ref", project.root / "models.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        with ref.begin() as conn:
            conn.exec_driver_sql("CREATE SCHEMA billing; CREATE SCHEMA audit")
            module.metadata.create_all(conn)
        assert _catalog(pg_db, TABLES) == _catalog(ref, TABLES)
        assert _catalog(pg_db, FOREIGN_KEYS) == _catalog(ref, FOREIGN_KEYS)

    code, again, err = _diff(project, pg_db.url, *scope)
    assert code == 0, err
    assert again.strip() == "-- no differences"


def test_a_schema_the_models_use_must_be_compared(pg_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, pg_db.url)
    _models(project, SCHEMAS_MODELS)
    code, _, err = _diff(project, pg_db.url)
    assert code == 2, err
    assert "the models use schema 'audit', which is not compared" in err
    assert "--schema public --schema audit --schema billing" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("backend", ["sqlite", "mysql"])
def test_schema_on_a_table_is_refused_where_schemas_are_not_namespaces(
    backend: str, tmp_path: Path
) -> None:
    with scratch_database(backend, tmp_path) as db:
        project = Project(tmp_path, db.url)
        _models(project, SCHEMAS_MODELS)
        code, _, err = _diff(project, db.url)
    assert code == 2, err
    assert f"schema='audit' (a table in another schema) is not supported yet on {backend}" in err
    assert len(err.strip().splitlines()) == 1


CHECKS = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' ORDER BY 1
"""
PREDICATES = "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indpred IS NOT NULL"


def test_in_list_check_on_varchar_survives_its_round_trip(pg_db: Database, tmp_path: Path) -> None:
    """PostgreSQL prints ``state IN (...)`` on a varchar column (a check, a partial
    index's predicate) in a spelling that it stores differently when run again: what
    dbshift writes is stored as ``create_all()`` stored it, and the second diff is empty."""
    project = Project(tmp_path, pg_db.url)
    _models(project, IN_LIST_MODELS)
    code, sql, err = _diff(project, pg_db.url)
    assert code == 0, err
    _apply(pg_db, sql)

    code, again, err = _diff(project, pg_db.url)
    assert code == 0, err
    assert again.strip() == "-- no differences"
    with scratch_database("postgresql", tmp_path / "ref") as ref:
        _create_all(project, ref)
        assert _catalog(pg_db, CHECKS) == _catalog(ref, CHECKS)
        assert _catalog(pg_db, PREDICATES) == _catalog(ref, PREDICATES)
    # The server enforces what the models say.
    _apply(pg_db, "INSERT INTO orders (id, state, kind) VALUES (1, 'it''s paid', 'bulk')")
    for bad in ("(2, 'lost', 'bulk')", "(3, 'new', 'other')"):
        with pytest.raises(Exception, match="check constraint"):
            _apply(pg_db, f"INSERT INTO orders (id, state, kind) VALUES {bad}")


def test_in_list_check_restored_from_a_dump_equals_the_models(
    pg_db: Database, tmp_path: Path
) -> None:
    """pg_dump prints the IN list as the catalog does; restored, it is stored cast by
    element. Still the same check as the models'."""
    _apply(
        pg_db,
        "CREATE TABLE orders (id serial PRIMARY KEY, state varchar(20), kind varchar(6),"
        " CONSTRAINT state_known CHECK (((state)::text = ANY ((ARRAY['new'::character varying,"
        " 'it''s paid'::character varying])::text[]))),"
        " CONSTRAINT order_kind CHECK (((kind)::text = ANY ((ARRAY['retail'::character varying,"
        " 'bulk'::character varying])::text[]))));"
        "CREATE INDEX ix_orders_open ON orders (state) WHERE ((state)::text = ANY"
        " ((ARRAY['new'::character varying, 'open'::character varying])::text[]))",
    )
    assert "('new'::character varying)::text" in str(_catalog(pg_db, CHECKS))
    project = Project(tmp_path, pg_db.url)
    _models(project, IN_LIST_MODELS)
    code, out, err = _diff(project, pg_db.url)
    assert code == 0, err
    assert out.strip() == "-- no differences"


def _create_all(project: Project, db: Database) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("sqla_models_ref", project.root / "models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with db.begin() as conn:
        module.metadata.create_all(conn)


NO_LENGTH_MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("body", sa.String))
"""

BAD_DEFAULT_MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table(
    "flags", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("on", sa.Boolean, server_default=sa.text("1")),
)
"""


def test_models_the_server_cannot_compile_are_one_line(mysql_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, mysql_db.url)
    _models(project, NO_LENGTH_MODELS)
    code, _, err = _diff(project, mysql_db.url)
    assert code == 2, err
    assert "sqlalchemy:models:metadata: create_all failed on mysql: CompileError:" in err
    assert "VARCHAR requires a length" in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1


def test_models_the_server_refuses_name_the_statement(pg_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, pg_db.url)
    _models(project, BAD_DEFAULT_MODELS)
    code, _, err = _diff(project, pg_db.url)
    assert code == 1, err
    assert "sqlalchemy:models:metadata: create_all failed on postgresql:" in err
    assert "default expression is of type integer" in err and "[CREATE TABLE flags" in err
    assert len(err.strip().splitlines()) == 1


SEVERAL_MODELS = """
import sqlalchemy as sa

legacy = sa.MetaData()
sa.Table("old_users", legacy, sa.Column("id", sa.Integer, primary_key=True))
current = sa.MetaData()
sa.Table("users", current, sa.Column("id", sa.Integer, primary_key=True))


class FlaskLike:
    \"\"\"Flask-SQLAlchemy's ``db``: a ``metadata`` and a ``create_all`` of its own that
    needs an application context.\"\"\"

    metadata = current

    def create_all(self, bind_key="__all__"):
        raise RuntimeError("Working outside of application context.")


target_metadata = [legacy, current]
db = FlaskLike()
"""


@pytest.mark.parametrize(
    ("attribute", "tables"),
    [("target_metadata", ["old_users", "users"]), ("db", ["users"])],
)
def test_a_list_of_metadata_and_an_object_holding_one(
    sqlite_db: Database, tmp_path: Path, attribute: str, tables: list[str]
) -> None:
    project = Project(tmp_path, sqlite_db.url)
    _models(project, SEVERAL_MODELS)
    result = project.run(
        "diff", "--from", sqlite_db.url, "--to", f"sqlalchemy:models:{attribute}",
        "--format", "sql", url=False,
    )  # fmt: skip
    assert result.code == 0, result.err
    _apply(sqlite_db, result.out)
    assert sqlite_db.tables() == set(tables)


USERS_MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
"""


def test_alembics_version_table_is_not_dropped_for_the_models(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """A database Alembic migrated holds alembic_version, which no model declares."""
    _apply(
        sqlite_db,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY);"
        "CREATE TABLE users (id INTEGER NOT NULL, PRIMARY KEY (id));",
    )
    project = Project(tmp_path, sqlite_db.url)
    _models(project, USERS_MODELS)
    code, out, err = _diff(project, sqlite_db.url)
    assert code == 0, err
    assert out.strip() == "-- no differences"
    assert sqlite_db.tables() == {"alembic_version", "users"}


PUBLIC_MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData(schema="public")
sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
"""


def test_the_default_schema_spelled_out_needs_no_schema_option(
    pg_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, pg_db.url)
    _models(project, PUBLIC_MODELS)
    code, sql, err = _diff(project, pg_db.url)
    assert code == 0, err
    assert "CREATE SCHEMA" not in sql
    _apply(pg_db, sql)
    assert pg_db.tables() == {"users"}
    code, again, err = _diff(project, pg_db.url)
    assert code == 0, err
    assert again.strip() == "-- no differences"


COMPUTED_MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table(
    "lines", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("qty", sa.Integer),
    sa.Column("twice", sa.Integer, sa.Computed("qty * 2")),
)
"""


def test_what_sqlalchemy_warns_of_is_one_line_naming_the_models(
    pg_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, pg_db.url)
    _models(project, COMPUTED_MODELS)
    code, sql, err = _diff(project, pg_db.url)
    assert code == 0, err
    assert "GENERATED ALWAYS AS" in sql
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("dbshift: warning: sqlalchemy:models:metadata: SAWarning: ")
    assert "lines.twice" in lines[0]


UNNAMED_MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table("a", metadata, sa.Column("id", sa.Integer, primary_key=True))
sa.Table("b", metadata, sa.Column("id", sa.Integer, primary_key=True))
sa.Table(
    "c", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("a_id", sa.Integer, sa.ForeignKey("a.id")),
    sa.Column("b_id", sa.Integer, sa.ForeignKey("b.id")),
    sa.Column("n", sa.Integer),
    sa.CheckConstraint("n > 0"),
    sa.CheckConstraint("n < 100"),
)
"""

#: The same tables built one migration at a time, in another order than create_all's:
#: the server numbers the unnamed constraints the other way round.
BUILT_IN_ANOTHER_ORDER = {
    "mysql": [
        "CREATE TABLE a (id int NOT NULL AUTO_INCREMENT PRIMARY KEY)",
        "CREATE TABLE b (id int NOT NULL AUTO_INCREMENT PRIMARY KEY)",
        "CREATE TABLE c (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, a_id int, b_id int,"
        " n int, CHECK (n < 100), CHECK (n > 0))",
        "ALTER TABLE c ADD FOREIGN KEY (b_id) REFERENCES b (id)",
        "ALTER TABLE c ADD FOREIGN KEY (a_id) REFERENCES a (id)",
    ],
    "postgresql": [
        "CREATE TABLE a (id serial PRIMARY KEY)",
        "CREATE TABLE b (id serial PRIMARY KEY)",
        "CREATE TABLE c (id serial PRIMARY KEY, a_id int REFERENCES a (id),"
        " b_id int REFERENCES b (id), n int, CHECK (n < 100), CHECK (n > 0))",
    ],
}


@pytest.mark.parametrize("backend", ["mysql", "postgresql"])
def test_constraints_the_server_named_match_by_definition(backend: str, tmp_path: Path) -> None:
    with scratch_database(backend, tmp_path) as db:
        for statement in BUILT_IN_ANOTHER_ORDER[backend]:
            _apply(db, statement)
        project = Project(tmp_path, db.url)
        _models(project, UNNAMED_MODELS)
        code, out, err = _diff(project, db.url)
        assert code == 0, err
        assert out.strip() == "-- no differences"
        # A foreign key that really differs still shows.
        _apply(db, "ALTER TABLE c DROP COLUMN n")
        code, out, err = _diff(project, db.url)
        assert code == 0, err
        assert "ADD COLUMN" in out and "FOREIGN KEY" not in out


def test_dbshift_test_matches_server_named_constraints_too(
    mysql_db: Database, tmp_path: Path
) -> None:
    """``[test] desired`` models against migrations that added the foreign keys one ALTER
    at a time, in another order than create_all."""
    import json

    from tests.cli.helpers import run
    from tests.conftest import sql_migration

    project = Project(tmp_path, mysql_db.url)
    _models(project, UNNAMED_MODELS)
    tables, *alters = BUILT_IN_ANOTHER_ORDER["mysql"][:3], *BUILT_IN_ANOTHER_ORDER["mysql"][3:]
    project.write("001_tables.sql", sql_migration(";\n".join(tables) + ";", "DROP TABLE c, b, a;"))
    project.write(
        "002_fks.sql",
        sql_migration(
            ";\n".join(alters) + ";",
            "ALTER TABLE c DROP FOREIGN KEY c_ibfk_1, DROP FOREIGN KEY c_ibfk_2;",
        ),
    )
    result = run(
        project, mysql_db, "test", "--format", "json", "--desired", "sqlalchemy:models:metadata"
    )
    assert result.out, result.err
    checks = {c["name"]: c for c in json.loads(result.out)["checks"]}
    assert checks["models"]["status"] == "passed", checks["models"]
