"""``dbshift test``: each migration up, down, up again on a scratch database, with data
fixtures, idempotency, the desired schema and the cost of each; text, JSON or JUnit XML."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from dbshift.cli import context
from dbshift.dialects import NAMES

OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift test --help``.
EXAMPLES = (
    "dbshift test                                  # every migration up, down, up",
    "dbshift test --only 20260301120000 --format json",
    "dbshift test --format junit > dbshift-test.xml",
)

if TYPE_CHECKING:
    from dbshift.dialects.locks import TableLock
    from dbshift.runner.stairway import MigrationResult, TestReport


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", metavar="VERSION", help="test from this version on")
    parser.add_argument("--only", metavar="VERSION", help="test this version only")
    parser.add_argument(
        "--dialect",
        choices=NAMES,
        help="server kind to test on (default: the configured URL's, else dev_url's)",
    )
    parser.add_argument(
        "--dev-url", help="server for the scratch database (else dev_url in config)"
    )
    parser.add_argument(
        "--desired",
        metavar="SRC",
        help="schema .sql or sqlalchemy:module:attr the migrations must build ([test] desired)",
    )
    parser.add_argument(
        "--fixtures", metavar="DIR", help="data fixtures directory ([test] fixtures)"
    )
    parser.add_argument(
        "--locks",
        action="store_true",
        help="also trace the locks each up takes (plan's tracer; slower: the default is time only)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="scratch databases tested at once (default: up to 4 on PostgreSQL, else 1)",
    )
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dbshift.runner import stairway

    settings = context.settings(args, dev_url=args.dev_url)
    dialect = args.dialect or _dialect(settings.url) or _dialect(settings.dev_url)
    if dialect is None:
        from dbshift.errors import UsageError

        raise UsageError(
            "dbshift test needs a server kind: pass --dialect, or configure url or dev_url"
        )
    options = stairway.Options(
        start=args.start,
        only=args.only,
        desired=args.desired,
        locks=args.locks,
        fixtures=Path(args.fixtures) if args.fixtures else None,
        jobs=args.jobs,
    )
    progress = _progress if args.format == "text" else None
    from dbshift.dialects import named

    report = stairway.run(settings, named(dialect), options, progress=progress)
    if args.format == "json":
        context.out_json(as_json(report))
    elif args.format == "junit":
        context.out(as_junit(report))
    else:
        _summary(report)
    return 1 if report.failed else 0


def _dialect(url: str | None) -> str | None:
    if not url:
        return None
    from dbshift.connection import backend_name, parse_url

    return backend_name(parse_url(url))


# -- text -----------------------------------------------------------------------------------


def _progress(result: MigrationResult) -> None:
    verdict = "FAIL" if result.failed else "ok"
    context.out(f"{verdict:4} {result.filename}  {_cost(result)}")
    for check in result.checks:
        if check.status == "failed":
            _print_failure(check)
        elif check.status == "skipped":
            context.out(f"       {check.name}: skipped ({check.message})")


def _print_failure(check: Any) -> None:
    import sys

    where = f"{check.where}: " if check.where and not check.message.startswith(check.where) else ""
    print(f"       {check.name}: {where}{check.message}", file=sys.stdout)
    for line in check.diff:
        print(f"         {line}", file=sys.stdout)


def _cost(result: MigrationResult) -> str:
    parts = []
    if result.up_ms is not None:
        parts.append(f"up {result.up_ms:.1f} ms")
    if result.down_ms is not None:
        parts.append(f"down {result.down_ms:.1f} ms")
    if result.locks:
        parts.append("locks " + ", ".join(f"{lock.table} {lock.mode}" for lock in result.locks))
    if result.rewritten:
        parts.append("rewrites " + ", ".join(result.rewritten))
    return "; ".join(parts)


def _summary(report: TestReport) -> None:
    import sys

    for check in report.checks:
        if check.status == "failed":
            _print_failure(check)
        else:
            note = f" ({check.message})" if check.message else ""
            context.out(f"{check.name}: {check.status}{note}")
    failures = report.failures
    tested = len(report.migrations)
    context.out(
        f"{tested} migration(s) tested on {report.dialect.name} in {report.seconds:.1f} s: "
        + (f"{len(failures)} failure(s)" if failures else "all passed")
        + ("" if report.locks_traced else " (time only; --locks traces locks)")
    )
    for filename, check in failures:
        where = check.where or filename or check.name
        first = check.message if check.message.startswith(where) else f"{where}: {check.message}"
        print(f"dbshift: test failed: {check.name}: {first}", file=sys.stderr)


# -- JSON and JUnit ---------------------------------------------------------------------------


def as_json(report: TestReport) -> dict[str, Any]:
    return {
        "dialect": report.dialect.name,
        "passed": not report.failed,
        "seconds": round(report.seconds, 3),
        "locks_traced": report.locks_traced,
        "migrations": [
            {
                "version": m.version,
                "file": m.path,
                "passed": not m.failed,
                "up_ms": None if m.up_ms is None else round(m.up_ms, 2),
                "down_ms": None if m.down_ms is None else round(m.down_ms, 2),
                "locks": [_lock(lock) for lock in m.locks],
                "rewritten": list(m.rewritten),
                "checks": [_check(c) for c in m.checks],
            }
            for m in report.migrations
        ],
        "checks": [_check(c) for c in report.checks],
    }


def _check(check: Any) -> dict[str, Any]:
    return {
        "name": check.name,
        "status": check.status,
        "message": check.message,
        "where": check.where,
        "diff": list(check.diff),
    }


def _lock(lock: TableLock) -> dict[str, Any]:
    return {
        "table": lock.table,
        "mode": lock.mode,
        "blocks_reads": lock.blocks_reads,
        "blocks_writes": lock.blocks_writes,
    }


def as_junit(report: TestReport) -> str:
    """One testcase per migration and check, as CI dashboards read JUnit XML."""
    from xml.etree import ElementTree as ET

    suite = ET.Element("testsuite", name=f"dbshift test ({report.dialect.name})")
    cases = 0
    failures = 0
    skipped = 0

    def case(classname: str, check: Any, seconds: float | None) -> None:
        nonlocal cases, failures, skipped
        cases += 1
        attrs = {"classname": classname, "name": check.name}
        if seconds is not None:
            attrs["time"] = f"{seconds:.3f}"
        element = ET.SubElement(suite, "testcase", attrs)
        if check.status == "failed":
            failures += 1
            where = (
                f"{check.where}: "
                if check.where and not check.message.startswith(check.where)
                else ""
            )
            failure = ET.SubElement(element, "failure", message=f"{where}{check.message}")
            failure.text = "\n".join([f"{where}{check.message}", *check.diff])
        elif check.status == "skipped":
            skipped += 1
            ET.SubElement(element, "skipped", message=check.message)

    for m in report.migrations:
        seconds = ((m.up_ms or 0) + (m.down_ms or 0)) / 1000
        for check in m.checks:
            case(m.filename, check, seconds if check.name == "up" else None)
    for check in report.checks:
        case("dbshift", check, None)
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("time", f"{report.seconds:.3f}")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode")
