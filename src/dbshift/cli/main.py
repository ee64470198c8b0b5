"""Entry point: argument parsing, dispatch, and turning errors into one line and an exit code.

argparse rather than click: ``dbshift --help`` must start in under 3x a bare interpreter,
and importing click alone took ~40 ms here against ~12 ms for ``python -c pass``
(argparse: ~8 ms). Heavy modules (SQLAlchemy, drivers, rich) load only inside commands.
"""

from __future__ import annotations

import argparse
import sys

from dbshift import __version__
from dbshift.cli.commands import COMMANDS, MODULES, STANDALONE
from dbshift.errors import DbshiftError

TYPE_CHECKING = False  # typing costs ~2 ms to import; mypy honours this spelling too
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NoReturn

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CONNECT = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse prints usage plus an error over two lines; dbshift promises one."""

    def error(self, message: str) -> NoReturn:
        print(f"dbshift: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def common_options() -> argparse.ArgumentParser:
    """The connection and configuration options, for commands with sub-actions."""
    return _common()


def _common() -> _Parser:
    """Options accepted before or after the command name (SUPPRESS keeps either from
    overwriting the other with a default)."""
    common = _Parser(add_help=False)
    s = argparse.SUPPRESS
    group = common.add_argument_group("connection and configuration")
    group.add_argument(
        "--url", default=s, help="database URL (else $DBSHIFT_URL, $DATABASE_URL, config)"
    )
    group.add_argument("--env", default=s, help="named environment from the config file")
    group.add_argument(
        "--config", default=s, help="config file (default: ./dbshift.toml or ./pyproject.toml)"
    )
    group.add_argument(
        "--dir", dest="migrations", default=s, help="migrations directory (default: migrations)"
    )
    group.add_argument(
        "--history-table", default=s, help="history table name (default: dbshift_history)"
    )
    group.add_argument("--history-schema", default=s, help="PostgreSQL schema of the history table")
    group.add_argument(
        "--lock-timeout",
        type=float,
        default=s,
        help="seconds to wait for the migration lock (default 60)",
    )
    group.add_argument(
        "--connect-timeout",
        type=float,
        default=s,
        help="seconds to wait for the server (default 10)",
    )
    group.add_argument("--debug", action="store_true", default=s, help="show tracebacks")
    return common


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser, fully built only for the command named in ``argv``.

    Every command appears in the top-level help, but only the one being run is imported
    and given its options: importing all of them was a third of ``dbshift --help``'s time.
    """
    common = _common()
    parser = _Parser(
        prog="dbshift",
        description="Crash-safe versioned schema migrations for PostgreSQL, MySQL/MariaDB and SQLite.",
        parents=[common],
        epilog="exit codes: 0 ok, 1 migration or validation failed, 2 usage or config error, "
        "3 cannot connect or lock not acquired",
    )
    parser.add_argument("--version", action="version", version=f"dbshift {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    selected = _command_named(argv, common)
    for name, summary in COMMANDS.items():
        if name != selected:
            sub.add_parser(name, help=summary)
            continue
        import importlib

        parents = [] if name in STANDALONE else [common]
        command = sub.add_parser(name, parents=parents, help=summary, description=summary)
        importlib.import_module(f"dbshift.cli.commands.{MODULES.get(name, name)}").configure(
            command
        )
    return parser


def _command_named(argv: Sequence[str], common: _Parser) -> str | None:
    """The first positional word of ``argv``, skipping global options and their values."""
    takes_value = {
        option
        for action in common._actions
        if action.nargs != 0
        for option in action.option_strings
    }
    words = iter(argv)
    for word in words:
        if word == "--":
            return next(words, None)
        if word in takes_value:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except DbshiftError as exc:
        if debug:
            raise
        return _fail(exc.message + (f"; {exc.hint}" if exc.hint else ""), exc.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:
        if debug:
            raise
        return _unexpected(exc)


def _fail(message: str, code: int) -> int:
    from dbshift.connection import mask_text

    print(f"dbshift: error: {mask_text(' '.join(message.split()))}", file=sys.stderr)
    return code


def _unexpected(exc: Exception) -> int:
    """Errors nobody turned into a DbshiftError: still one line, still masked."""
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None and isinstance(exc, sa_exc.DBAPIError):
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        lost = isinstance(exc, sa_exc.OperationalError)
        what = "lost the database connection" if lost else "database error"
        return _fail(f"{what}: {reason}", EXIT_CONNECT if lost else EXIT_FAILED)
    if isinstance(exc, OSError):
        return _fail(f"{exc.filename or ''}: {exc.strerror or exc}", EXIT_FAILED)
    return _fail(
        f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)", EXIT_FAILED
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
