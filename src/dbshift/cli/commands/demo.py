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


#: Shown at the end of ``dbshift demo --help``.
EXAMPLES = (
    "dbshift demo                 # in a temporary directory, removed afterwards",
    "dbshift demo --path ./tour   # keep the files to explore",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--path", help="directory for the demo files (default: a new temporary one)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import shutil
    import tempfile  # here, not at the top: `dbshift --help` imports every command module
    from pathlib import Path

    console = context.console()
    keep = bool(args.path)
    root = Path(args.path) if keep else Path(tempfile.mkdtemp(prefix="dbshift-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    prog, activate = invocation()
    previous = Path.cwd()
    os.chdir(root)  # the tour is a project of its own: its files never land in the caller's cwd
    try:
        code = _tour(console, root, prog)
    finally:
        os.chdir(previous)
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    console.print()
    if keep:
        console.print(f"[bold green]done.[/] Explore it yourself: cd {root} && {prog} status")
    else:
        console.print(
            f"[bold green]done.[/] The demo's temporary directory is removed; to keep the "
            f"files and explore them: {prog} demo --path ./dbshift-demo"
        )
    if activate:
        console.print(f"(or activate the environment first, then type just dbshift: {activate})")
    context.out()
    return code


def invocation() -> tuple[str, str | None]:
    """How to type dbshift so that the commands the demo prints work as written.

    ``dbshift`` only when that name finds this very program on $PATH; else the script's
    absolute path (``/home/me/app/.venv/bin/dbshift``), with the venv's activation as the
    alternative; ``python -m dbshift`` when run that way.
    """
    import shutil
    import sys
    from pathlib import Path

    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is None or script.name in ("__main__.py", "-m", "-c") or not script.exists():
        return f"{sys.executable} -m dbshift", None
    script = script.resolve()
    found = shutil.which("dbshift")
    if found is not None and Path(found).resolve() == script:
        return "dbshift", None
    activate = script.parent / "activate"
    return str(script), f"source {activate}" if activate.is_file() else None


def _tour(console: Console, root: Path, prog: str) -> int:
    from rich.rule import Rule

    from dbshift.cli.main import main

    migrations = root / "migrations"

    def step(title: str, *argv: str, expect: int = 0) -> None:
        console.print()
        # Off a terminal the console never wraps (its width is huge): a rule that long
        # would fill the pipe, so it stops at 80 columns there.
        console.print(Rule(f"[bold cyan]{title}", align="left"), width=min(console.width, 80))
        console.print(f"[dim]$ {prog} {' '.join(argv)}[/]", soft_wrap=True)
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
    step("12. backups: step 7's rollback dropped a table, so it backed it up first", "backups")
    step("13. backup: the whole database now, with row counts and checksums", "backup")
    import sqlite3

    with sqlite3.connect(root / "demo.db") as hotfix:
        hotfix.execute("CREATE INDEX ix_hotfix ON users (email)")
    hotfix.close()
    console.print("\n[dim]someone adds an index by hand, outside the migrations[/]")
    step("14. drift: the live schema against what the history produced", "drift", expect=1)
    step(
        "15. drift --generate: adopt it as a migration, recorded as applied",
        "drift",
        "--generate",
        "adopt hotfix index",
    )
    step("16. drift: clean again", "drift")
    return 0
