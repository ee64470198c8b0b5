"""The online journal's format version, kept beside it as the history table's is: recorded
when the journal is made, an older journal (from before the version was kept) upgraded in
place with its entries, and a newer format refused rather than misread, on every server."""

from __future__ import annotations

from pathlib import Path

from dbshift.online.journal import FORMAT_VERSION
from tests.conftest import Database, Project


def _format(db: Database) -> object:
    return db.scalar("SELECT value FROM dbshift_online_meta WHERE name = 'format_version'")


def test_a_new_journal_records_its_format(db: Database, tmp_path: Path) -> None:
    status = Project(tmp_path, db.url).run("online", "status")
    assert status.code == 0, status.err
    assert _format(db) == str(FORMAT_VERSION)


def test_a_journal_without_a_version_is_upgraded_and_keeps_its_entries(
    db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, db.url)
    assert project.run("online", "status").code == 0
    # What a dbshift from before the format version left: the journal alone, with a row.
    engine = db.engine()
    with engine.connect() as conn:
        conn.exec_driver_sql("DROP TABLE dbshift_online_meta")
        conn.exec_driver_sql(
            "INSERT INTO dbshift_online (name, base_schema, version_schema, tables, phase, "
            "spec, started_at, safety_period, backfill, paused) VALUES ('1_old', 'b', 'v', "
            "'[\"t\"]', 'rolled_back', '', '2026-01-01 00:00:00', 0, '{}', false)"
        )
        conn.commit()
    engine.dispose()
    status = project.run("online", "status")
    assert status.code == 0, status.err
    assert "1_old: rolled_back on t" in status.out
    assert _format(db) == str(FORMAT_VERSION)


def test_a_newer_format_is_refused_untouched(db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, db.url)
    assert project.run("online", "status").code == 0
    engine = db.engine()
    with engine.connect() as conn:
        conn.exec_driver_sql(
            "UPDATE dbshift_online_meta SET value = '99' WHERE name = 'format_version'"
        )
        conn.commit()
    engine.dispose()
    status = project.run("online", "status")
    assert status.code == 2
    assert 'dbshift_online" has format 99, newer than this dbshift' in status.err.replace("`", '"')
    assert f"understands ({FORMAT_VERSION}); upgrade dbshift" in status.err
    assert _format(db) == "99"


def test_commands_creating_the_journal_at_once_all_succeed(pg_db: Database) -> None:
    """``online start`` beside ``online status`` on a database without a journal: both
    create it, and PostgreSQL's CREATE TABLE IF NOT EXISTS lets one of two racing creators
    fail on pg_type's unique index (seen in a test run). Every one must go on."""
    import threading

    import sqlalchemy

    from dbshift.connection import parse_url
    from dbshift.online import journal

    engine = sqlalchemy.create_engine(parse_url(pg_db.url), isolation_level="AUTOCOMMIT")
    for attempt in range(5):
        schema = f"race{attempt}"
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        ready = threading.Barrier(6)
        failures: list[BaseException] = []

        def create(
            schema: str = schema,
            ready: threading.Barrier = ready,
            failures: list[BaseException] = failures,
        ) -> None:
            with engine.connect() as conn:
                ready.wait()
                try:
                    journal.ensure(conn, schema)
                except BaseException as exc:
                    failures.append(exc)

        threads = [threading.Thread(target=create) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == [], failures
        with engine.connect() as conn:
            version = conn.exec_driver_sql(
                f"SELECT value FROM {schema}.dbshift_online_meta WHERE name = 'format_version'"
            ).scalar()
        assert version == str(FORMAT_VERSION)
    engine.dispose()
