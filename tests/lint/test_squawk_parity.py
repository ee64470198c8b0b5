"""Parity with squawk on the corpus: every squawk violation on a PostgreSQL corpus file has
a dbshift finding on the same statement from a rule naming that squawk rule as its peer,
unless dbshift deliberately disagrees (the lists in tests/lint/squawk.py, with reasons).

squawk is run as a migration tool would run it: ``--assume-in-transaction`` for dbshift
migrations that run in one transaction, without it for ``-- dbshift:no-transaction``
migrations and plain files.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from dbshift.lint.engine import Linter
from dbshift.lint.rule import DEFAULT_SERVERS, Finding, Rule
from dbshift.lint.rules import all_rules
from tests.lint.squawk import OPINIONS, squawk, squawk_binary, transactional, unmatched
from tests.lint.test_corpus import corpus_files

pytestmark = pytest.mark.skipif(squawk_binary() is None, reason="squawk-cli not installed")

POSTGRES_FILES = corpus_files("postgresql")
BENCH = Path(__file__).resolve().parents[2] / "bench"


def _missing(path: Path, text: str, rules: list[Rule]) -> tuple[list[str], list[Finding]]:
    violations = squawk([path], in_transaction=transactional(text))
    findings = list(Linter(rules, DEFAULT_SERVERS["postgresql"]).lint_paths([path]).findings)
    triples = [(f.path, f.line, f.rule) for f in findings]
    return unmatched(violations, triples, {str(path): text}, rules), findings


@pytest.mark.parametrize("path", POSTGRES_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_squawk_violation_has_a_dbshift_peer(path: Path) -> None:
    missing, findings = _missing(path, path.read_text(encoding="utf-8"), all_rules())
    assert not [f for f in findings if f.rule == "parse-error"]
    assert missing == []


def test_opinions_are_squawk_rules_it_reports() -> None:
    """An opinion squawk no longer voices on the corpus is stale: drop it from the list."""
    seen: set[str] = set()
    for path in POSTGRES_FILES:
        text = path.read_text(encoding="utf-8")
        seen |= {v.rule for v in squawk([path], in_transaction=transactional(text))}
    assert set(OPINIONS) <= seen


def test_a_missing_peer_is_caught(tmp_path: Path) -> None:
    """The check can fail: without the rule that answers squawk's
    require-concurrent-index-creation, that violation is reported as unmatched."""
    path = tmp_path / "m.sql"
    text = "-- dbshift:up\nSET lock_timeout = '1s';\nCREATE INDEX i ON t (a);\n"
    path.write_text(text, encoding="utf-8")
    rules = [r for r in all_rules() if "require-concurrent-index-creation" not in r.squawk]
    missing, _ = _missing(path, text, rules)
    assert any("require-concurrent-index-creation" in m for m in missing), missing
    with_all, _ = _missing(path, text, all_rules())
    assert not any("require-concurrent-index-creation" in m for m in with_all), with_all


def test_generated_corpus_has_no_unmatched_squawk_finding(tmp_path: Path) -> None:
    """The benchmark's generated migrations (bench/bench_lint.py), 2,000 statements: the
    hazards in every combination the generator makes, not only the hand-written files."""
    spec = importlib.util.spec_from_file_location("bench_lint", BENCH / "bench_lint.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.corpus(tmp_path, 2000)
    paths = sorted(tmp_path.glob("*.sql"))
    rules = all_rules()
    report = Linter(rules, DEFAULT_SERVERS["postgresql"]).lint_paths(paths, jobs=1)
    assert report.statements == 2000
    assert not [f for f in report.findings if f.rule == "parse-error"]
    violations = squawk(paths, in_transaction=False)
    assert len(violations) > 500
    triples = [(f.path, f.line, f.rule) for f in report.findings]
    texts = {str(p): p.read_text(encoding="utf-8") for p in paths}
    assert unmatched(violations, triples, texts, rules) == []
