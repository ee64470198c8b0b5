"""Rule examples as data: each rule's test module lists ``CASES``, which are linted there
and also executed on the real servers by tests/lint/test_cases_on_servers.py, so every
example is a statement the server accepts, not a string that merely looks like SQL."""

from __future__ import annotations

from dataclasses import dataclass

from dbshift.lint.engine import Linter
from dbshift.lint.rule import DEFAULT_SERVERS, Finding, Server
from dbshift.lint.rules import all_rules


@dataclass(frozen=True)
class Case:
    dialect: str
    #: The migration's up section under test.
    sql: str
    #: Whether the rule under test reports it.
    fires: bool
    #: Statements that make ``sql`` valid (tables it alters): run first on the server,
    #: not linted (they stand for what earlier migrations created).
    setup: str = ""
    #: A dbshift migration running in one transaction (False: ``no-transaction``).
    transactional: bool = True
    #: The server version the rule judges for (default: DEFAULT_SERVERS).
    server: str | None = None
    #: Set when the example cannot run on the test servers (say why).
    no_run: str = ""

    @property
    def id(self) -> str:
        first = " ".join(self.sql.split())[:60]
        return f"{self.dialect}-{'fires' if self.fires else 'quiet'}-{first}"


def lint_sql(
    sql: str,
    dialect: str = "postgresql",
    *,
    transactional: bool = True,
    server: Server | None = None,
    plain: bool = False,
) -> list[Finding]:
    """Findings for ``sql`` as the up section of a migration (or a plain file)."""
    if plain:
        text = sql
    else:
        directive = "" if transactional else "-- dbshift:no-transaction\n"
        text = f"{directive}-- dbshift:up\n{sql}\n"
    linter = Linter(all_rules(), server or DEFAULT_SERVERS[dialect])
    findings, _ = linter.lint_text(text, "m.sql")
    return findings


def server_for(case: Case) -> Server:
    if case.server is None:
        return DEFAULT_SERVERS[case.dialect]
    flavor, _, version = case.server.partition("-")
    return Server(flavor, tuple(int(p) for p in version.split(".")))


def rule_ids(case: Case) -> set[str]:
    findings = lint_sql(
        case.sql, case.dialect, transactional=case.transactional, server=server_for(case)
    )
    return {f.rule for f in findings}


def check(case: Case, rule_id: str) -> None:
    found = rule_ids(case)
    assert "parse-error" not in found, f"{case.sql!r} does not parse"
    if case.fires:
        assert rule_id in found, f"{rule_id} missed {case.sql!r} (found {sorted(found)})"
    else:
        assert rule_id not in found, f"{rule_id} wrongly flagged {case.sql!r}"
