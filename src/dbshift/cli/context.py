"""From parsed arguments to a ``Settings`` and a ``Session``; the console reporter."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dbshift.config import Settings
    from dbshift.migrations.model import Migration
    from dbshift.runner.session import Session

_OVERRIDES = (
    "url",
    "migrations",
    "history_table",
    "history_schema",
    "lock_timeout",
    "ddl_lock_timeout",
    "connect_timeout",
    "dev_url",
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

    made = Session(settings(args, **extra), ConsoleReporter())
    made.probe = catalog_probe(made.dialect.name)
    made.kill_orphaned = bool(getattr(args, "kill_orphaned", False))
    return made


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


class ConsoleReporter:
    """Progress lines on stdout, one per migration."""

    def __init__(self, *, show_sql: bool = False) -> None:
        self.show_sql = show_sql

    def started(self, migration: Migration, *, down: bool, resumed_at: int | None) -> None:
        verb = "reverting" if down else "applying"
        resume = f" (resuming after statement {resumed_at})" if resumed_at else ""
        print(f"{verb} {migration.filename}{resume} ...", end="", flush=True)
        self._line_open = True

    def finished(self, migration: Migration, *, down: bool, ms: int) -> None:
        if getattr(self, "_line_open", False):
            print(f" done in {ms} ms", flush=True)
        else:  # a notice took the line: say which migration is done
            print(f"{migration.filename} done in {ms} ms", flush=True)
        self._line_open = False

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
        if getattr(self, "_line_open", False):  # a notice in mid-migration: its own line
            print(flush=True)
            self._line_open = False
        print(text, flush=True)


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def out_json(doc: object) -> None:
    import json

    out(json.dumps(doc, indent=2))
