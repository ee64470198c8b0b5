"""``dbshift demo``: a guided tour on an embedded SQLite file; no server needed.

It drives the real commands through ``main()``, so what it shows is what users get.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from dbshift.cli import context

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

_MIGRATIONS = {
    "20260101090000_create_users.sql": """\
-- dbshift:up
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL -- a comment; with a semicolon
);
CREATE INDEX users_name_idx ON users (name);

-- dbshift:down
DROP TABLE users;
""",
    "20260101090100_seed_admin.py": '''\
"""Data migration in Python: ctx.execute binds parameters, never formats strings."""


def up(ctx):
    ctx.execute(
        "INSERT INTO users (email, name) VALUES (:email, :name)",
        [{"email": "ada@example.com", "name": "Ada"}, {"email": "bob@example.com", "name": "Bob"}],
    )


def down(ctx):
    ctx.execute("DELETE FROM users WHERE email IN ('ada@example.com', 'bob@example.com')")
''',
    "20260101090200_orders_with_audit_trigger.sql": """\
-- dbshift:up
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
    updated_at TEXT
);
-- a trigger body holds semicolons; the splitter keeps it whole (as sqlite3 does)
CREATE TRIGGER orders_touch AFTER UPDATE ON orders
BEGIN
    UPDATE orders SET updated_at = datetime('now') WHERE id = NEW.id;
END;

-- dbshift:down
DROP TRIGGER orders_touch;
DROP TABLE orders;
""",
}


#: A migration under review, linted (not applied) by the tour's last step.
_PROPOSED = """\
-- dbshift:up
ALTER TABLE orders DROP COLUMN updated_at;
DELETE FROM users;
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--path", help="directory for the demo files (default: a new temporary one)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console(highlight=False)
    import tempfile  # here, not at the top: `dbshift --help` imports every command module
    from pathlib import Path

    root = Path(args.path) if args.path else Path(tempfile.mkdtemp(prefix="dbshift-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    previous = Path.cwd()
    os.chdir(root)  # the tour is a project of its own: its files never land in the caller's cwd
    try:
        return _tour(console, root)
    finally:
        os.chdir(previous)


def _tour(console: Console, root: Path) -> int:
    from rich.rule import Rule

    from dbshift.cli.main import main

    migrations = root / "migrations"

    def step(title: str, *argv: str, expect: int = 0) -> None:
        console.print()
        console.print(Rule(f"[bold cyan]{title}", align="left"))
        console.print(f"[dim]$ dbshift {' '.join(argv)}[/]")
        code = main(list(argv))
        if code != expect:
            raise SystemExit(code)

    console.print(f"[bold]dbshift demo[/] in {root} (SQLite file demo.db, no server needed)")
    step(
        "1. init: the migrations directory, its integrity file and dbshift.toml",
        "init",
        "--url",
        "sqlite:///demo.db",
    )
    for name, text in _MIGRATIONS.items():
        (migrations / name).write_text(text, encoding="utf-8")
    console.print(f"\nwrote {len(_MIGRATIONS)} migrations: " + ", ".join(_MIGRATIONS))
    step("2. hash: record the files in migrations/dbshift.sum", "hash")
    step("3. status: everything is pending", "status")
    step("4. migrate --dry-run: what would run, statement by statement", "migrate", "--dry-run")
    step("5. migrate: each migration in its own transaction with its history row", "migrate")
    step("6. status", "status")
    step(
        "7. rollback: revert the newest migration with its down section "
        "(it drops a table: --allow-destructive confirms it)",
        "rollback",
        "--allow-destructive",
    )
    step("8. history: what ran, when, by whom, how long", "history")
    (migrations / "20260101090000_create_users.sql").write_text(
        _MIGRATIONS["20260101090000_create_users.sql"].replace(
            "TEXT NOT NULL UNIQUE", "TEXT UNIQUE"
        ),
        encoding="utf-8",
    )
    step("9. someone edits an applied migration: validate names it and fails", "validate", expect=1)
    (migrations / "20260101090000_create_users.sql").write_text(
        _MIGRATIONS["20260101090000_create_users.sql"], encoding="utf-8"
    )
    step("10. file restored: migrate applies the rest", "migrate")
    proposed = root / "proposed"
    proposed.mkdir(exist_ok=True)
    (proposed / "drop_updated_at.sql").write_text(_PROPOSED, encoding="utf-8")
    step(
        "11. lint a proposed migration: what it breaks or loses, and the safe form",
        "lint",
        "proposed",
        expect=1,
    )
    console.print()
    console.print(f"[bold green]done.[/] Explore it yourself: cd {root} && dbshift status")
    context.out()
    return 0
