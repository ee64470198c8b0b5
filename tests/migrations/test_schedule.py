"""Scheduling: ``not-before`` and ``window`` headers, environment windows, ``migrate``'s
refusal, ``--ignore-schedule``, ``--wait`` and ``dbshift due``, on a fixed clock
(``DBSHIFT_NOW``: the run sees that instant and its sleeps only move it forward)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dbshift.config import Settings
from dbshift.migrations.schedule import parse_window, when
from dbshift.runner.sources import own_tables
from tests.conftest import Database, Project, sql_migration

WEDNESDAY = "2027-01-06T12:00Z"
USERS = sql_migration("CREATE TABLE users (id integer PRIMARY KEY);", "DROP TABLE users;")


def _windowed(header: str) -> str:
    return (
        header
        + "\n"
        + sql_migration(
            "ALTER TABLE users ADD COLUMN name varchar(50);", "ALTER TABLE users DROP COLUMN name;"
        )
    )


def test_migrate_refuses_a_migration_outside_its_window_naming_the_next_one(
    project: Project, db: Database
) -> None:
    project.write("001_users.sql", USERS)
    project.write("002_name.sql", _windowed("-- dbshift:window sat,sun 01:00-05:00 UTC"))
    refused = project.run("migrate", env={"DBSHIFT_NOW": WEDNESDAY})
    assert refused.code == 1
    assert (
        "migrations/002_name.sql: not due yet: next window sat,sun 01:00-05:00 UTC opens "
        "2027-01-09T01:00Z (Sat)" in refused.err
    )
    assert "'dbshift migrate --to 001' applies the 1 due one(s)" in refused.err
    assert db.tables() - set(own_tables(Settings())) == set(), "nothing applied"
    saturday = project.run("migrate", env={"DBSHIFT_NOW": "2027-01-09T03:00Z"})
    assert saturday.code == 0, saturday.err
    assert "applied 2 migration(s)" in saturday.out


def test_ignore_schedule_runs_it_now(sqlite_db: Database, tmp_path: Any) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write("001_users.sql", "-- dbshift:not-before 2027-01-10T02:00Z\n" + USERS)
    assert project.run("migrate", env={"DBSHIFT_NOW": WEDNESDAY}).code == 1
    forced = project.run("migrate", "--ignore-schedule", env={"DBSHIFT_NOW": WEDNESDAY})
    assert forced.code == 0, forced.err


def test_wait_sleeps_until_the_window_on_the_fixed_clock(project: Project, db: Database) -> None:
    project.write("001_users.sql", USERS)
    project.write("002_name.sql", _windowed("-- dbshift:window sat 01:00-05:00 UTC"))
    waited = project.run("migrate", "--wait", env={"DBSHIFT_NOW": WEDNESDAY})
    assert waited.code == 0, waited.err
    assert "waiting until 2027-01-09T01:00:00Z: next window sat 01:00-05:00 UTC" in waited.err
    assert "applied 2 migration(s)" in waited.out
    assert db.scalar("SELECT count(name) FROM users") == 0  # the windowed column exists


def test_environment_windows_apply_to_migrations_without_their_own(
    sqlite_db: Database, tmp_path: Any
) -> None:
    project = Project(tmp_path, sqlite_db.url)
    (tmp_path / "dbshift.toml").write_text(
        f'[environments.production]\nurl = "{sqlite_db.url}"\n'
        'windows = ["mon-fri 22:00-02:00 UTC"]\n',
        encoding="utf-8",
    )
    project.write("001_users.sql", USERS)
    refused = project.run(
        "--env", "production", "migrate", url=False, env={"DBSHIFT_NOW": WEDNESDAY}
    )
    assert refused.code == 1
    assert "of environment production" in refused.err
    assert "opens 2027-01-06T22:00Z (Wed)" in refused.err
    # Without the environment, no window applies.
    assert project.run("migrate", env={"DBSHIFT_NOW": WEDNESDAY}).code == 0


def test_due_lists_what_would_run_now(project: Project, db: Database) -> None:
    project.write("001_users.sql", USERS)
    project.write("002_name.sql", _windowed("-- dbshift:window sat,sun 01:00-05:00 UTC"))
    project.write(
        "003_seed.py",
        'not_before = "2027-01-10T02:00Z"\n\ndef up(ctx):\n    ctx.execute("INSERT INTO users VALUES (1)")\n\n'
        'def down(ctx):\n    ctx.execute("DELETE FROM users")\n',
    )
    text = project.run("due", env={"DBSHIFT_NOW": WEDNESDAY})
    assert text.code == 0, text.err
    assert "runs now   001_users.sql" in text.out
    assert "not yet    003_seed.py: not before 2027-01-10T02:00Z (Sun)" in text.out
    assert "1 of 3 pending migration(s) would run now" in text.out
    doc = json.loads(project.run("due", "--format", "json", env={"DBSHIFT_NOW": WEDNESDAY}).out)
    assert [(m["version"], m["due"], m["runs_now"]) for m in doc["migrations"]] == [
        ("001", True, True),
        ("002", False, False),
        ("003", False, False),
    ]
    assert doc["migrations"][1]["next_at"] == "2027-01-09T01:00:00Z"
    assert doc["migrations"][1]["window_closes_at"] == "2027-01-09T05:00:00Z"
    assert db.tables() - set(own_tables(Settings())) == set(), "due applies nothing"


def test_a_malformed_header_is_a_file_line_error(sqlite_db: Database, tmp_path: Any) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write("001_users.sql", "-- dbshift:window someday 1-5\n" + USERS)
    result = project.run("migrate")
    assert result.code == 2
    assert (
        "migrations/001_users.sql:1: dbshift:window expects '[days] HH:MM-HH:MM [zone]'"
        in result.err
    )
    project.write("001_users.sql", "-- dbshift:not-before tomorrow\n" + USERS)
    result = project.run("due")
    assert result.code == 2
    assert "001_users.sql:1: dbshift:not-before expects an ISO 8601 instant" in result.err


def test_window_wrapping_midnight_in_a_named_zone() -> None:
    # Friday 22:00-02:00 in Paris (UTC+1 in January): open Friday 21:00Z to Saturday 01:00Z.
    due = when(
        not_before=None,
        windows=("fri 22:00-02:00 Europe/Paris",),
        now=datetime(2027, 1, 9, 0, 30, tzinfo=UTC),
    )
    assert due.due and due.closes_at == datetime(2027, 1, 9, 1, 0, tzinfo=UTC)
    later = when(
        not_before=None,
        windows=("fri 22:00-02:00 Europe/Paris",),
        now=datetime(2027, 1, 9, 1, 0, tzinfo=UTC),
    )
    assert not later.due and later.next_at == datetime(2027, 1, 15, 21, 0, tzinfo=UTC)


@settings(deadline=None)  # up to 30 hours probed minute by minute; the box is shared
@given(
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
    days=st.sets(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1),
    start=st.integers(0, 23 * 60 + 59),
    length=st.integers(1, 23 * 60),
)
def test_next_opening_is_inside_the_window_and_nothing_earlier_is(
    now: datetime, days: set[str], start: int, length: int
) -> None:
    end = (start + length) % (24 * 60)
    text = f"{','.join(sorted(days))} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d} UTC"
    window = parse_window(text)
    due = when(not_before=None, windows=(text,), now=now)
    assert due.next_at >= now
    assert window.open_at(due.next_at)
    assert due.closes_at is not None and due.closes_at > due.next_at
    if not due.due:  # minute steps before it are all closed
        probe = now
        while probe < due.next_at and probe < now + timedelta(hours=30):
            assert not window.open_at(probe)
            probe += timedelta(minutes=7)
