"""Several MySQL/MariaDB databases as one model (``schemas`` / ``--schema``): a schema there
is a database. Judged by the server (SHOW CREATE, information_schema), not by dbshift's
own output: a realm built by hand, inspected and rendered from nothing into another home
database (its two other databases dropped first, then created again by the plan) shows
the same on the server, and inspects the same."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy

from dbshift.dialects import renderer_for
from dbshift.diff import diff
from dbshift.inspect import Scope, inspect_schema
from dbshift.model import Schema
from dbshift.ops import CreateSchema, DropSchema
from tests.conftest import Database, Project, scratch_database

pytestmark = pytest.mark.mysql


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _realm(home: str, app: str, audit: str) -> list[str]:
    """The home database's tables, ``app``'s and ``audit``'s, with references across them
    both ways: foreign keys, a view, a function, a trigger and a sequence."""
    return [
        "CREATE TABLE customers (id int PRIMARY KEY, name varchar(40) NOT NULL)",
        f"CREATE TABLE {_q(app)}.orders (id int PRIMARY KEY AUTO_INCREMENT, customer_id int,"
        " total decimal(10,2) NOT NULL DEFAULT 0, status varchar(10) NOT NULL DEFAULT 'new',"
        " KEY ix_status (status, total), CONSTRAINT total_positive CHECK (total >= 0),"
        f" CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES {_q(home)}.customers (id)"
        " ON DELETE CASCADE) COMMENT 'orders of the home customers'",
        "CREATE TABLE last_order (customer_id int PRIMARY KEY, order_id int,"
        f" CONSTRAINT fk_last_order FOREIGN KEY (order_id) REFERENCES {_q(app)}.orders (id))",
        f"CREATE SEQUENCE {_q(app)}.invoice_numbers START WITH 100 INCREMENT BY 5",
        f"CREATE TABLE {_q(audit)}.events (id bigint PRIMARY KEY AUTO_INCREMENT,"
        " order_id int NOT NULL, at timestamp NOT NULL DEFAULT current_timestamp())",
        f"CREATE TABLE {_q(audit)}.tmp_scratch (id int)",
        # The trigger's body runs in its own database: `events` is audit's, by name.
        f"CREATE TRIGGER {_q(audit)}.events_stamp BEFORE INSERT ON {_q(audit)}.events"
        " FOR EACH ROW SET NEW.order_id = abs(NEW.order_id)",
        f"CREATE TRIGGER {_q(app)}.orders_upper BEFORE INSERT ON {_q(app)}.orders"
        " FOR EACH ROW SET NEW.status = upper(NEW.status)",
        f"CREATE VIEW {_q(audit)}.order_events AS SELECT o.id, c.name, e.at"
        f" FROM {_q(app)}.orders o JOIN customers c ON c.id = o.customer_id"
        f" JOIN {_q(audit)}.events e ON e.order_id = o.id",
        f"CREATE FUNCTION {_q(audit)}.event_count(p_order int) RETURNS int READS SQL DATA"
        " RETURN (SELECT count(*) FROM events WHERE order_id = p_order)",
    ]


def _server_view(conn: sqlalchemy.Connection, home: str, others: list[str]) -> dict[str, object]:
    """Every object of ``home`` and ``others`` as the server shows it: SHOW CREATE (run
    from ``home``, whose name is replaced), trigger order, sequence settings."""
    out: dict[str, object] = {}
    for database in [home, *others]:
        where = "<home>" if database == home else database
        rows = conn.exec_driver_sql(
            "SELECT IF(TABLE_TYPE = 'VIEW', 'VIEW', IF(TABLE_TYPE = 'SEQUENCE', 'SEQUENCE',"
            " 'TABLE')), TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s"
            " UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES"
            " WHERE ROUTINE_SCHEMA = %s",
            (database, database),
        ).all()
        for kind, name in rows:
            shown = conn.exec_driver_sql(
                f"SHOW CREATE {kind} {_q(database)}.{_q(name)}".replace("%", "%%")
            ).one()
            out[f"{where}.{kind} {name}"] = [str(f).replace(_q(home), "`<home>`") for f in shown]
        # SHOW CREATE TRIGGER repeats the statement as typed (quoted or not): the catalog.
        triggers = conn.exec_driver_sql(
            "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION,"
            " ACTION_ORDER, ACTION_STATEMENT, SQL_MODE, CHARACTER_SET_CLIENT,"
            " COLLATION_CONNECTION, DATABASE_COLLATION FROM information_schema.TRIGGERS"
            " WHERE TRIGGER_SCHEMA = %s",
            (database,),
        ).all()
        out[f"{where}.triggers"] = sorted(tuple(r) for r in triggers)
    return out


@pytest.fixture
def homes(mysql_db: Database, tmp_path: Path) -> Iterator[tuple[Database, Database, str, str]]:
    """Two home databases and the names of the two others (the test's own prefix), which
    are dropped at the end whatever happened."""
    home = mysql_db.url.rsplit("/", 1)[1]
    app, audit = f"{home}_app", f"{home}_audit"
    with scratch_database("mysql", tmp_path) as target:
        try:
            yield mysql_db, target, app, audit
        finally:
            with mysql_db.connect() as conn:
                conn.exec_driver_sql("SET foreign_key_checks = 0")
                for name in (app, audit):
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_q(name)}")
                for db in (mysql_db, target):
                    conn.exec_driver_sql(
                        f"DROP TABLE IF EXISTS {_q(db.url.rsplit('/', 1)[1])}.last_order"
                    )


def test_several_databases_round_trip_through_an_empty_one(
    homes: tuple[Database, Database, str, str],
) -> None:
    source, target, app, audit = homes
    home, other_home = source.url.rsplit("/", 1)[1], target.url.rsplit("/", 1)[1]
    scope = Scope(schemas=(f"{home}_*",), exclude=(f"{audit}.tmp_*",))
    renderer = renderer_for("mysql")
    with source.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {_q(app)}")
        conn.exec_driver_sql(f"CREATE DATABASE {_q(audit)}")
        for sql in _realm(home, app, audit):
            conn.exec_driver_sql(sql.replace("%", "%%"))
        model = inspect_schema(conn, scope=scope)
        assert model.namespaces == (app, audit)
        names = {(t.schema, t.name) for t in model.tables}
        assert names == {
            (None, "customers"),
            (None, "last_order"),
            (app, "orders"),
            (audit, "events"),
        }  # the excluded tmp_scratch left out
        orders = model.table("orders", app)
        assert orders is not None and orders.foreign_keys[0].ref_schema is None  # home
        last = model.table("last_order")
        assert last is not None and last.foreign_keys[0].ref_schema == app
        (view,) = model.views
        assert (view.schema, view.name) == (audit, "order_events")
        assert f"`{app}`.`orders`" in view.definition and f"`{home}`" not in view.definition

        conn.exec_driver_sql(f"DROP TABLE {_q(audit)}.tmp_scratch")
        before = _server_view(conn, home, [app, audit])
        plan = renderer.render(diff(Schema(), model), Schema())
        assert plan[:2] == [f"CREATE DATABASE {_q(app)}", f"CREATE DATABASE {_q(audit)}"]
        conn.exec_driver_sql("SET foreign_key_checks = 0")
        conn.exec_driver_sql("DROP TABLE last_order")
        conn.exec_driver_sql(f"DROP DATABASE {_q(app)}")
        conn.exec_driver_sql(f"DROP DATABASE {_q(audit)}")

    with target.connect() as conn:
        for sql in plan:
            conn.exec_driver_sql(sql.replace("%", "%%"))
        after = _server_view(conn, other_home, [app, audit])
        assert sorted(after) == sorted(before)
        for key, shown in before.items():
            assert after[key] == shown, key
        again = inspect_schema(conn, scope=scope)
        assert again == model
        assert diff(again, model) == []

        # Back to the home database alone: the others' objects go, then the databases.
        alone = Schema(
            tables=tuple(
                replace(t, foreign_keys=()) if t.name == "last_order" else t
                for t in model.tables
                if t.schema is None
            ),
            defaults=model.defaults,
        )
        ops = diff(again, alone)
        assert ops[-2:] == [DropSchema(app), DropSchema(audit)]
        assert not any(isinstance(op, CreateSchema) for op in ops)
        for sql in renderer.render(ops, again):
            conn.exec_driver_sql(sql.replace("%", "%%"))
        left = conn.exec_driver_sql(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (%s, %s)",
            (app, audit),
        ).all()
        assert left == []
        assert inspect_schema(conn, scope=scope) == alone


def test_the_cli_compares_the_databases_schema_names(
    homes: tuple[Database, Database, str, str], tmp_path: Path
) -> None:
    source, _, app, audit = homes
    home = source.url.rsplit("/", 1)[1]
    with source.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {_q(app)}")
        conn.exec_driver_sql(f"CREATE DATABASE {_q(audit)}")
        for sql in _realm(home, app, audit):
            conn.exec_driver_sql(sql.replace("%", "%%"))
    project = Project(tmp_path, source.url)
    plain = project.run("inspect", "--format", "json")
    assert plain.code == 0, plain.err
    assert {t["name"] for t in json.loads(plain.out)["tables"]} == {"customers", "last_order"}

    one = project.run("inspect", "--schema", app, "--exclude", "customers")
    assert one.code == 0, one.err
    assert f"CREATE DATABASE `{app}`;" in one.out and f"CREATE TABLE `{app}`.`orders`" in one.out
    assert audit not in one.out.replace(f"`{app}`", "") and "TABLE `customers`" not in one.out

    (tmp_path / "dbshift.toml").write_text(f'schemas = ["{home}_*"]\nexclude = ["tmp_*"]\n')
    every = project.run("inspect", "--format", "json")
    assert every.code == 0, every.err
    model = json.loads(every.out)
    assert model["namespaces"] == [app, audit]
    assert {(t["schema"], t["name"]) for t in model["tables"]} == {
        (None, "customers"),
        (None, "last_order"),
        (app, "orders"),
        (audit, "events"),
    }
    # Both sides are the same server's databases: no differences, and no hint.
    same = project.run("diff", "--from", source.url, "--to", source.url)
    assert same.code == 0, same.err
    assert "-- no differences" in same.out
    # A scratch database cannot stand in for several: the others would be made as named.
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id int);\n")
    refused = project.run("diff", "--from", source.url, "--to", str(tmp_path / "schema.sql"))
    assert refused.code == 2, refused.err
    assert "compared between URLs only" in refused.err and "Traceback" not in refused.err


def test_drift_sees_a_change_by_hand_in_another_database(
    homes: tuple[Database, Database, str, str], tmp_path: Path
) -> None:
    """migrate stores the realm's snapshot; drift compares the realm with it."""
    source, _, app, _ = homes
    home = source.url.rsplit("/", 1)[1]
    project = Project(tmp_path, source.url)
    (tmp_path / "dbshift.toml").write_text(f'schemas = ["{app}"]\n')
    project.write(
        "1_app.sql",
        f"-- dbshift:up\nCREATE DATABASE {_q(app)};\n"
        f"CREATE TABLE {_q(app)}.orders (id int PRIMARY KEY, total int NOT NULL);\n"
        f"-- dbshift:down\nDROP DATABASE {_q(app)};\n",
    )
    migrated = project.run("migrate")
    assert migrated.code == 0, migrated.err
    clean = project.run("drift")
    assert clean.code == 0, clean.out + clean.err
    with source.connect() as conn:
        conn.exec_driver_sql(f"ALTER TABLE {_q(app)}.orders ADD COLUMN note text")
    drifted = project.run("drift")
    assert drifted.code == 1, drifted.out + drifted.err
    assert f"column {app}.orders.note" in drifted.out, drifted.out
    assert home not in drifted.out.replace(app, "")
