"""``dbshift import TOOL DIR``: another tool's migrations and history, as dbshift's.

Writes the converted files into the migrations directory (which must hold no migrations
yet) and, when a database URL is configured, turns the tool's history table into dbshift
history rows, so ``migrate`` runs only what the old tool had not applied.
"""

from __future__ import annotations

import argparse

from dbshift.cli import context
from dbshift.dialects import NAMES

OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift import --help``.
EXAMPLES = (
    "dbshift import flyway src/main/resources/db/migration",
    "dbshift import golang-migrate db/migrations --no-history",
    "dbshift import alembic alembic/ --dialect postgresql",
)

TOOLS = ("golang-migrate", "flyway", "alembic", "dbmate", "goose")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tool", choices=TOOLS, help="the tool that wrote DIR")
    parser.add_argument("source", metavar="DIR", help="the tool's migrations directory")
    parser.add_argument(
        "--source-table",
        metavar="NAME",
        help="the tool's history table (default: schema_migrations, flyway_schema_history, "
        "alembic_version, goose_db_version)",
    )
    parser.add_argument(
        "--no-history", action="store_true", help="convert the files only; adopt no history"
    )
    parser.add_argument(
        "--dialect",
        choices=NAMES,
        help="the server the SQL is for when no URL is configured (Alembic renders for it)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dbshift.errors import UsageError
    from dbshift.importers.service import import_directory
    from dbshift.runner.executor import display_path
    from dbshift.runner.session import Session

    settings = context.settings(args)
    session = None
    if settings.url and not args.no_history:
        session = Session(settings, context.ConsoleReporter())
    from dbshift.dialects import Dialect, dialect_for, named

    dialect: Dialect | None = named(args.dialect) if args.dialect else None
    if dialect is None and session is not None:
        dialect = session.dialect
    if dialect is None and settings.url:
        from dbshift.connection import parse_url

        dialect = dialect_for(parse_url(settings.url))
    if dialect is None:
        if args.tool == "alembic":
            raise UsageError(
                "Alembic revisions are rendered for one server: pass --url or --dialect"
            )
        from dbshift.dialects.postgres import PostgresDialect

        dialect = PostgresDialect()  # nothing names the server: PostgreSQL
    try:
        result = import_directory(
            args.tool,
            Path(args.source),
            settings.migrations_dir,
            dialect=dialect,
            session=session,
            table=args.source_table,
        )
    finally:
        if session is not None:
            session.close()
    imported = result.imported
    target = display_path(settings.migrations_dir)
    context.out(
        f"wrote {len(imported.migrations)} migration(s)"
        + (
            f" and {len(imported.repeatable)} repeatable migration(s)"
            if imported.repeatable
            else ""
        )
        + f" from {imported.tool} to {target}/ (and {target}/dbshift.sum)"
    )
    if imported.renumbered:
        for migration in imported.migrations:
            context.out(f"  {imported.tool} {migration.key} -> {migration.filename}")
    if session is None:
        context.out("no history adopted (no database URL, or --no-history)")
    elif result.adopted is None:
        context.out(f"no {result.source_table} table in the database: no history to adopt")
    else:
        context.out(
            f"adopted {result.adopted} applied migration(s) from {result.source_table} into "
            f"{settings.history_table}"
        )
    return 0
