"""From parsed arguments to a ``Settings`` and a ``Session``; the console reporter."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from dbshift.config import Settings
    from dbshift.migrations.model import Migration
    from dbshift.runner.session import Session

#: The connection and configuration options of every command that opens a ``Session``:
#: a command module sets ``OPTIONS`` to these (plus its own), and its help lists only them.
SESSION_OPTIONS = frozenset(
    {
        "url",
        "env",
        "config",
        "migrations",
        "history_table",
        "history_schema",
        "lock_timeout",
        "connect_timeout",
    }
)

_OVERRIDES = (
    "url",
    "migrations",
    "history_table",
    "history_schema",
    "lock_timeout",
    "ddl_lock_timeout",
    "connect_timeout",
    "dev_url",
    "backup_dir",
    "schemas",
    "include",
    "exclude",
)


def settings(args: argparse.Namespace, **extra: Any) -> Settings:
    # Imported here: every command module imports this one, and config pulls in tomllib,
    # dataclasses and urllib, which `dbshift --help` should not pay for.
    from pathlib import Path

    from dbshift.config import load_settings

    overrides = {key: getattr(args, key, None) for key in _OVERRIDES}
    overrides.update(extra)
    config = getattr(args, "config", None)
    return load_settings(
        cwd=Path.cwd(),
        config_path=Path(config) if config else None,
        environment=getattr(args, "env", None),
        overrides=overrides,
    )


def session(args: argparse.Namespace, **extra: Any) -> Session:
    from dbshift.cli.indoubt import catalog_probe
    from dbshift.runner.session import Session

    reporter = JsonReporter() if wants_json(args) else ConsoleReporter()
    made = Session(settings(args, **extra), reporter)
    made.probe = catalog_probe(made.dialect)
    made.kill_orphaned = bool(getattr(args, "kill_orphaned", False))
    made.offline_ok = bool(getattr(args, "offline_ok", False))
    return made


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def wants_json(args: argparse.Namespace) -> bool:
    return getattr(args, "format", None) == "json"


def report(args: argparse.Namespace, text: str, **doc: Any) -> None:
    """The command's result: ``text`` for people, or one JSON document (``doc`` plus what
    the session's reporter saw: migrations run with their timings, notices)."""
    if wants_json(args):
        out_json({**json_progress(), **doc})
    else:
        out(text)


#: The JsonReporter of this run, so a failure can still report what ran before it.
_json_reporter: list[JsonReporter] = []


def json_progress() -> dict[str, Any]:
    """What the run's JsonReporter collected (empty when there is none)."""
    if not _json_reporter:
        return {}
    reporter = _json_reporter[-1]
    doc: dict[str, Any] = {
        "applied": [m for m in reporter.done if m["direction"] == "up"],
        "reverted": [m for m in reporter.done if m["direction"] == "down"],
        "notices": reporter.notices,
    }
    if reporter.running is not None:
        doc["failed_migration"] = reporter.running
    if reporter.planned_list:
        doc["planned"] = reporter.planned_list
    return doc


class JsonReporter:
    """Collects what ran, for ``--format json``: nothing is printed until the end."""

    def __init__(self) -> None:
        self.done: list[dict[str, Any]] = []
        self.planned_list: list[dict[str, Any]] = []
        self.notices: list[str] = []
        self.running: dict[str, Any] | None = None
        _json_reporter.append(self)

    @staticmethod
    def _describe(migration: Migration, *, down: bool) -> dict[str, Any]:
        return {
            "version": migration.version,
            "description": migration.description,
            "file": migration.filename,
            "direction": "down" if down else "up",
        }

    def started(self, migration: Migration, *, down: bool, resumed_at: int | None) -> None:
        self.running = {**self._describe(migration, down=down), "resumed_after": resumed_at}

    def finished(self, migration: Migration, *, down: bool, ms: int) -> None:
        entry = self.running or self._describe(migration, down=down)
        self.done.append({**entry, "ms": ms})
        self.running = None

    def planned(self, migration: Migration, *, down: bool) -> None:
        section = migration.section(down=down)
        self.planned_list.append(
            {
                **self._describe(migration, down=down),
                "transactional": migration.transactional,
                "statements": [{"line": s.line, "sql": s.sql} for s in section.statements],
            }
        )

    def notice(self, text: str) -> None:
        self.notices.append(text)


#: Width given to rich off a terminal: wide enough that no line is ever wrapped, since a
#: wrapped line breaks grep, awk and anything else reading the output line by line.
UNWRAPPED = 100_000


def console(*, stderr: bool = False) -> Console:
    """A rich console that wraps to the terminal's width on a terminal, and never elsewhere."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(highlight=False, stderr=stderr)
    return Console(highlight=False, stderr=stderr, width=UNWRAPPED, soft_wrap=True)


#: The progress line a ConsoleReporter left open (``applying X.sql ...``): the CLI ends it
#: with FAILED or interrupted when an error stops the run, so the error that follows on
#: stderr is not glued to it and the line says how it ended.
_open_line: list[str] = []


def close_open_line(outcome: str) -> None:
    if _open_line:
        _open_line.clear()
        print(f" {outcome}" if outcome else "", flush=True)


class ConsoleReporter:
    """Progress lines on stdout, one per migration."""

    def __init__(self, *, show_sql: bool = False) -> None:
        self.show_sql = show_sql

    def started(self, migration: Migration, *, down: bool, resumed_at: int | None) -> None:
        verb = "reverting" if down else "applying"
        resume = f" (resuming after statement {resumed_at})" if resumed_at else ""
        print(f"{verb} {migration.filename}{resume} ...", end="", flush=True)
        _open_line[:] = [migration.filename]

    def finished(self, migration: Migration, *, down: bool, ms: int) -> None:
        _open_line.clear()
        print(f" done in {ms} ms", flush=True)

    def planned(self, migration: Migration, *, down: bool) -> None:
        verb = "would revert" if down else "would apply"
        mode = "" if migration.transactional else " (no transaction)"
        print(f"{verb} {migration.filename}{mode}")
        section = migration.section(down=down)
        for statement in section.statements:
            first = statement.sql.splitlines()[0] if statement.sql else ""
            more = " ..." if "\n" in statement.sql else ""
            print(f"    line {statement.line}: {first}{more}")

    def notice(self, text: str) -> None:
        # stderr: stdout may be an SQL script (--sql) or a JSON document.
        close_open_line("")
        print(f"dbshift: {text}", file=sys.stderr, flush=True)


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def out_json(doc: object) -> None:
    import json

    out(json.dumps(doc, indent=2))
