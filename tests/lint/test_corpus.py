"""The corpus: whole migrations, hazardous and safe, for every dialect.

Rule tests pin one statement each; the corpus checks rules together on files written the way
migrations are written (several statements, settings, new tables beside live ones), so a
rule that fires on its neighbours' statements, or stays quiet where it should speak, shows
up here. Each file says what it expects in its header:

    -- expect: create-index-blocking, missing-lock-timeout
    -- notices: prefer-text

``expect`` is the exact set of rule ids reported at error or warning severity (empty for a
safe file); ``notices``, when present, the exact set at notice severity. A file under
``good/`` must also have no error at all.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dbshift.lint.engine import Linter
from dbshift.lint.rule import DEFAULT_SERVERS, Finding, Severity
from dbshift.lint.rules import all_rules

CORPUS = Path(__file__).parent / "corpus"
DIALECTS = ("postgresql", "mysql", "sqlite")
_HEADER = re.compile(r"^--[ \t]*(expect|notices):(.*)$", re.M)


def corpus_files(dialect: str | None = None) -> list[Path]:
    dialects = (dialect,) if dialect else DIALECTS
    return sorted(p for d in dialects for p in (CORPUS / d).glob("*/*.sql"))


def expectations(path: Path) -> dict[str, set[str]]:
    """The header's ``expect`` and ``notices`` sets (a missing ``notices`` is not checked)."""
    out: dict[str, set[str]] = {}
    for key, value in _HEADER.findall(path.read_text(encoding="utf-8")):
        out[key] = {part.strip() for part in value.split(",") if part.strip()}
    return out


def lint_file(path: Path) -> list[Finding]:
    dialect = path.parent.parent.name
    report = Linter(all_rules(), DEFAULT_SERVERS[dialect]).lint_paths([path])
    return list(report.findings)


def _id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


@pytest.mark.parametrize("path", corpus_files(), ids=_id)
def test_corpus_file(path: Path) -> None:
    expected = expectations(path)
    assert "expect" in expected, f"{_id(path)} has no '-- expect:' header"
    findings = lint_file(path)
    shown = "\n".join(f"  {f.line}: {f.severity} [{f.rule}] {f.message}" for f in findings)
    found = {f.rule for f in findings if f.severity >= Severity.WARNING}
    assert found == expected["expect"], f"{_id(path)}:\n{shown}"
    if "notices" in expected:
        notices = {f.rule for f in findings if f.severity is Severity.NOTICE}
        assert notices == expected["notices"], f"{_id(path)}:\n{shown}"
    if path.parent.name == "good":
        assert not [f for f in findings if f.severity is Severity.ERROR], shown


def test_every_expected_rule_exists() -> None:
    """A typo in a header would otherwise read as 'this rule stays quiet'."""
    known = {r.id for r in all_rules()}
    named = {
        (rule, _id(path))
        for path in corpus_files()
        for ids in expectations(path).values()
        for rule in ids
    }
    assert sorted(pair for pair in named if pair[0] not in known) == []


def test_each_dialect_has_bad_and_good_files() -> None:
    for dialect in DIALECTS:
        for kind in ("bad", "good"):
            assert list((CORPUS / dialect / kind).glob("*.sql")), f"{dialect}/{kind} is empty"


def test_unparsable_file_is_reported_and_the_rest_still_linted(tmp_path: Path) -> None:
    """A statement PostgreSQL cannot parse is an error at its file:line; the next file is
    linted all the same, through the console entry point a CI job would call."""
    (tmp_path / "1_broken.sql").write_text(
        "-- dbshift:up\nSET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN;\n",
        encoding="utf-8",
    )
    (tmp_path / "2_index.sql").write_text(
        "-- dbshift:up\nSET lock_timeout = '3s';\nCREATE INDEX users_email ON users (email);\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "dbshift", "lint", "--dialect", "postgresql", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{tmp_path / '1_broken.sql'}:3: error [parse-error]" in done.stdout
    assert f"{tmp_path / '2_index.sql'}:3: error [create-index-blocking]" in done.stdout


@pytest.mark.parametrize("dialect", DIALECTS)
def test_forked_workers_give_the_serial_report(dialect: str) -> None:
    """Large trees are linted by forked workers: same findings, same order."""
    paths = corpus_files(dialect) * 3
    linter = Linter(all_rules(), DEFAULT_SERVERS[dialect])
    serial = linter.lint_paths(paths, jobs=1)
    assert linter.lint_paths(paths, jobs=3) == serial
    assert serial.findings and serial.files == len(paths)


def test_plain_file_with_a_bad_statement_still_lints_the_others() -> None:
    """A plain PostgreSQL file is parsed in one call; when that fails, it is split and
    parsed statement by statement, so the error names its line and the rest is linted."""
    text = (
        "SET lock_timeout = '3s';\n"
        "CREATE INDEX a_idx ON a (x);\n"
        "ALTER TABLE a ADD COLUMN;\n"
        "\n"
        "DROP TABLE b;\n"
    )
    linter = Linter(all_rules(), DEFAULT_SERVERS["postgresql"])
    findings, count = linter.lint_text(text, "plain.sql")
    assert count == 4
    assert {(f.line, f.rule) for f in findings} >= {
        (2, "create-index-blocking"),
        (3, "parse-error"),
        (5, "drop-table"),
    }
