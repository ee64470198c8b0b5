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
    from typing import Any, NoReturn, TextIO

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CONNECT = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse prints usage plus an error over two lines; dbshift promises one."""

    def error(self, message: str) -> NoReturn:
        print(f"dbshift: error: {_suggest(message)} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _suggest(message: str) -> str:
    """``invalid choice: 'migrat' (choose from ...)`` gains ``did you mean 'migrate'?``,
    as git does; the full list stays when nothing is close."""
    import re

    found = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
    if found is None:
        return message
    import difflib

    choices = re.findall(r"'([^']*)'", found.group(2))
    close = difflib.get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
    if not close:
        return message
    return (
        f"{message[: found.start(2) - len('(choose from ')].rstrip()}: did you mean {close[0]!r}?"
    )


def common_options(applies: frozenset[str] | None = None) -> argparse.ArgumentParser:
    """The connection and configuration options, for commands with sub-actions
    (``applies``: as for ``_common``)."""
    return _common(applies)


def _common(applies: frozenset[str] | None = None) -> _Parser:
    """Options accepted before or after the command name (SUPPRESS keeps either from
    overwriting the other with a default).

    ``applies``: the destinations a command uses (its module's ``OPTIONS``); the others
    are still accepted, so scripts that pass ``--url`` everywhere keep working, but its
    help does not list them.
    """
    common = _Parser(add_help=False)
    s = argparse.SUPPRESS
    group = common.add_argument_group("connection and configuration")
    group.add_argument(
        "--url", default=s, help="database URL (else $DBSHIFT_URL, $DATABASE_URL, config)"
    )
    group.add_argument("--env", default=s, help="named environment from the config file")
    group.add_argument(
        "--config",
        default=s,
        help="config file (default: dbshift.toml or pyproject.toml here or in a parent directory)",
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
        "--ddl-lock-timeout",
        type=float,
        default=s,
        help="seconds each migration statement waits for its table lock before it is "
        "retried (default 5; 0: no limit)",
    )
    group.add_argument(
        "--connect-timeout",
        type=float,
        default=s,
        help="seconds to wait for the server (default 10)",
    )
    group.add_argument("--debug", action="store_true", default=s, help="show tracebacks")
    if applies is not None:
        for action in group._group_actions:
            if action.dest not in applies and action.dest != "debug":
                action.help = argparse.SUPPRESS
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

        module = importlib.import_module(f"dbshift.cli.commands.{MODULES.get(name, name)}")
        parents = [] if name in STANDALONE else [_common(getattr(module, "OPTIONS", None))]
        command = sub.add_parser(
            name,
            parents=parents,
            help=summary,
            description=summary,
            epilog=_examples(getattr(module, "EXAMPLES", ())),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.configure(command)
    return parser


def _examples(examples: Sequence[str]) -> str | None:
    """A command module's ``EXAMPLES`` (``command  # what it does``) as its help's end."""
    if not examples:
        return None
    return "examples:\n" + "\n".join(f"  {line}" for line in examples)


def _command_named(argv: Sequence[str], common: _Parser) -> str | None:
    """The first positional word of ``argv``, skipping global options and their values."""
    takes_value = {
        option
        for action in common._actions
        if action.nargs != 0
        for option in action.option_strings
    } | {"--format"}  # each command's own, but may come first (see _hoist_format)
    words = iter(argv)
    for word in words:
        if word == "--":
            return next(words, None)
        if word in takes_value:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


class _PipeSafe:
    """stdout that goes quiet when its reader leaves (``dbshift status | head -1``).

    Python raises BrokenPipeError on the next write and again when it flushes at exit
    ("Broken pipe", exit 1). A reader that has seen enough is not an error, and a
    migration must never stop halfway because nobody reads its progress: later output
    goes to /dev/null and the command ends as it would have.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._silence()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._silence()

    def _silence(self) -> None:
        import os

        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # not a real file descriptor
            pass
        self._stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not isinstance(sys.stdout, _PipeSafe):
        sys.stdout = _PipeSafe(sys.stdout)
    argv = _hoist_format(argv, _common())
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    from dbshift.online.whole import register

    register()  # the runner hands online files to the online engine (runner.online_files)
    try:
        return int(args.handler(args))
    except DbshiftError as exc:
        _close_progress("FAILED")
        if debug:
            raise
        message = exc.message + (f"; {exc.hint}" if exc.hint else "")
        _json_failure(args, message, exc.exit_code)
        return _fail(message, exc.exit_code)
    except KeyboardInterrupt:
        _close_progress("interrupted")
        return _fail("interrupted", 130)
    except Exception as exc:
        _close_progress("FAILED")
        if debug:
            raise
        return _unexpected(exc)


def _hoist_format(argv: list[str], common: _Parser) -> list[str]:
    """``dbshift --format json status`` as ``dbshift status --format json``.

    ``--format`` belongs to each command (the choices differ: lint has sarif, inspect sql),
    so a copy given before the command name moves right after it, where that command's
    parser checks it. (argparse would otherwise let the command's default overwrite it.)
    """
    command = _command_named(argv, common)
    if command is None:
        return argv
    at = argv.index(command)
    head, moved = [], []
    words = iter(argv[:at])
    for word in words:
        if word == "--format":
            moved += [word, next(words, "")]
        elif word.startswith("--format="):
            moved.append(word)
        else:
            head.append(word)
    if not moved:
        return argv
    rest = argv[at + 1 :]
    if command == "online" and rest and not rest[0].startswith("-"):
        # `online` has actions; the format belongs to the action (online status).
        return [*head, command, rest[0], *moved, *rest[1:]]
    return [*head, command, *moved, *rest]


def _json_failure(args: argparse.Namespace, message: str, code: int) -> None:
    """With --format json, a failure is a JSON document on stdout too (the one-line error
    still goes to stderr), holding what ran before it."""
    if getattr(args, "format", None) != "json":
        return
    import json

    context = sys.modules.get("dbshift.cli.context")
    progress = context.json_progress() if context is not None else {}
    from dbshift.connection import mask_text

    doc = {**progress, "error": mask_text(" ".join(message.split())), "exit_code": code}
    print(json.dumps(doc, indent=2), flush=True)


def _close_progress(outcome: str) -> None:
    """End an open ``applying X.sql ...`` line with how it went (context is loaded only
    by commands that print progress)."""
    context = sys.modules.get("dbshift.cli.context")
    if context is not None:
        context.close_open_line(outcome)


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
