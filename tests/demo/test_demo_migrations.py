"""The demo's migrations pass the plugin's standard tests, and their data round-trips."""

from __future__ import annotations

from dbshift.pytest_plugin import Runner, assert_passed
from dbshift.runner.stairway import TestReport

USERS, SEED, ORDERS = (
    "20260101090000_create_users.sql",
    "20260101090100_seed_admin.py",
    "20260101090200_orders_with_audit_trigger.sql",
)


def test_every_demo_migration_passes_the_stairway(dbshift_stairway: TestReport) -> None:
    # The tour's drift steps adopt a by-hand index as a 4th migration (timestamped).
    names = [m.filename for m in dbshift_stairway.migrations]
    assert names[:3] == [USERS, SEED, ORDERS] and len(names) == 4
    assert names[3].endswith("_adopt_hotfix_index.sql")
    assert_passed(dbshift_stairway)
    for migration in dbshift_stairway.migrations:
        assert {c.name: c.status for c in migration.checks} == {
            "up": "passed",
            "down": "passed",
            "stairway": "passed",
        }, migration.filename


def test_seed_rows_arrive_with_the_seed_and_leave_with_its_down(dbshift_runner: Runner) -> None:
    versions = dbshift_runner.versions()
    assert dbshift_runner.migrate(to=versions[1]) == 2
    emails = "SELECT email FROM users ORDER BY email"
    assert [r[0] for r in dbshift_runner.execute(emails)] == ["ada@example.com", "bob@example.com"]
    assert dbshift_runner.rollback() == 1
    assert dbshift_runner.scalar("SELECT count(*) FROM users") == 0


def test_the_orders_trigger_touches_updated_at(dbshift_runner: Runner) -> None:
    dbshift_runner.migrate()
    dbshift_runner.execute("INSERT INTO orders (id, user_id, total_cents) VALUES (1, 1, 500)")
    dbshift_runner.execute("UPDATE orders SET total_cents = 600 WHERE id = 1")
    assert dbshift_runner.scalar("SELECT updated_at IS NOT NULL FROM orders WHERE id = 1") == 1
    assert dbshift_runner.rollback(to=0) == 4  # with the tour's adopted index
    assert dbshift_runner.schema().tables == ()
