"""``dbshift lint [PATHS...]``: find migration statements that lock, rewrite, break the
running application or lose data, and say what to write instead."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.cli import context
from dbshift.dialects import NAMES, named
from dbshift.errors import UsageError

if TYPE_CHECKING:
    from dbshift.config import Settings
    from dbshift.lint.rule import Rule, Server


#: The connection and configuration options this command uses (its help lists only these).
OPTIONS = frozenset({"url", "env", "config", "migrations"})

#: Shown at the end of ``dbshift lint --help``.
EXAMPLES = (
    "dbshift lint                               # every migration, for the configured server",
    "dbshift lint migrations/20240101_x.sql --server postgresql-15",
    "dbshift lint --since origin/main --format github",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: migrations)"
    )
    parser.add_argument(
        "--dialect",
        choices=NAMES,
        help="SQL dialect (default: the configured URL's)",
    )
    parser.add_argument(
        "--server",
        help="server and version the rules judge for, e.g. postgresql-15, mysql-8.0.36, "
        "mariadb-10.11 (default: [lint] server in config, else current releases)",
    )
    parser.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    parser.add_argument(
        "--since", metavar="GIT_REF", help="only files changed since GIT_REF (and new files)"
    )
    parser.add_argument("--select", help="comma-separated rule ids to run (default: all)")
    parser.add_argument("--ignore", help="comma-separated rule ids not to run")
    parser.add_argument("--list", action="store_true", help="list the rules and exit")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.lint import report
    from dbshift.lint.engine import Linter
    from dbshift.lint.rules import all_rules

    settings = context.settings(args)
    rules = all_rules()
    if args.list:
        for rule in rules:
            dialects = ",".join(rule.dialect_names())
            context.out(f"{rule.id:32} {rule.severity!s:8} {dialects:26} {rule.summary}")
        return 0
    server = _server(args, settings)
    selected = _selected(rules, args, settings)
    paths = _files(args, settings)
    result = Linter(selected, server).lint_paths(paths)
    if args.format == "json":
        context.out(report.as_json(result))
    elif args.format == "github":
        if result.findings:
            context.out(report.github(result))
    elif args.format == "sarif":
        context.out(report.sarif(result, rules))
    else:
        context.out(report.text(result))
    return 1 if result.failed else 0


def _server(args: argparse.Namespace, settings: Settings) -> Server:
    from dbshift.cli.lint_plan import parse_server
    from dbshift.lint.rule import DEFAULT_SERVERS

    spec = args.server or settings.lint.server
    if spec:
        server = parse_server(spec)
        if args.dialect and type(named(args.dialect)) is not type(server.facts):
            raise UsageError(f"--dialect {args.dialect} contradicts --server {spec}")
        return server
    dialect = args.dialect or _configured_dialect(settings)
    return DEFAULT_SERVERS[dialect]


def _configured_dialect(settings: Settings) -> str:
    if not settings.url:
        raise UsageError(
            "cannot tell which SQL dialect to lint: pass --dialect or --server, or configure url"
        )
    from dbshift.connection import backend_name, parse_url

    return backend_name(parse_url(settings.url))


def _selected(rules: list[Rule], args: argparse.Namespace, settings: Settings) -> list[Rule]:
    known = {r.id for r in rules}
    select = _ids(args.select, known, "--select") or set(settings.lint.select)
    ignore = _ids(args.ignore, known, "--ignore") | set(settings.lint.ignore)
    for rule_id in (select | ignore) - known:
        raise UsageError(f"unknown lint rule {rule_id!r} in config (see 'dbshift lint --list')")
    return [r for r in rules if (not select or r.id in select) and r.id not in ignore]


def _ids(raw: str | None, known: set[str], flag: str) -> set[str]:
    ids = {part.strip() for part in (raw or "").split(",") if part.strip()}
    for rule_id in ids - known:
        raise UsageError(f"{flag}: unknown rule {rule_id!r} (see 'dbshift lint --list')")
    return ids


def _files(args: argparse.Namespace, settings: Settings) -> list[Path]:
    roots = [Path(p) for p in args.paths] or [settings.migrations_dir]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(sorted(p for p in root.rglob("*.sql") if p.is_file()))
        elif root.is_file():
            files.append(root)
        else:
            raise UsageError(f"{root}: no such file or directory")
    if args.since:
        changed = _changed_since(args.since)
        files = [f for f in files if f.resolve() in changed]
    return [_shown(f) for f in files]


def _shown(path: Path) -> Path:
    """Relative to the working directory where possible: findings then read as the paths
    an editor, a CI annotation or a reviewer expects."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _changed_since(ref: str) -> set[Path]:
    """Files changed between ``ref`` and the work tree, plus untracked ones."""
    if ref.startswith("-"):
        raise UsageError(f"--since {ref!r}: not a git revision")

    def git(*argv: str) -> list[str]:
        try:
            done = subprocess.run(
                ["git", *argv], capture_output=True, text=True, check=True, timeout=60
            )
        except FileNotFoundError:
            raise UsageError("--since needs git, which is not installed") from None
        except subprocess.CalledProcessError as exc:
            reason = " ".join(exc.stderr.split()) or f"git exited {exc.returncode}"
            raise UsageError(f"--since {ref}: {reason}") from None
        return [line for line in done.stdout.splitlines() if line]

    top = Path(git("rev-parse", "--show-toplevel")[0])
    names = git("diff", "--name-only", "--diff-filter=ACMR", ref, "--")
    names += git("ls-files", "--others", "--exclude-standard", "--full-name")
    return {(top / name).resolve() for name in names}
