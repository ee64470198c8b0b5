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
    "connect_timeout",
    "dev_url",
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
    from dbshift.runner.session import Session

    return Session(settings(args, **extra), ConsoleReporter())


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

    def finished(self, migration: Migration, *, down: bool, ms: int) -> None:
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
        print(text, flush=True)


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def out_json(doc: object) -> None:
    import json

    out(json.dumps(doc, indent=2))
