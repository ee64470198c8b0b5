"""docs/rules.md is generated from the rules; a stale file fails here."""

import os
from pathlib import Path

from dbshift.lint.docs import rules_markdown
from dbshift.lint.rules import all_rules

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_md_is_current() -> None:
    expected = rules_markdown(all_rules())
    if os.environ.get("DBSHIFT_UPDATE_GOLDEN"):
        DOC.write_text(expected, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale: run DBSHIFT_UPDATE_GOLDEN=1 pytest tests/lint/test_docs.py"
    )


def test_every_rule_is_documented_and_unique() -> None:
    rules = all_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule.summary and rule.dialects
        assert type(rule).__module__.startswith("dbshift.lint.rules.")
        module_doc = __import__(type(rule).__module__, fromlist=["_"]).__doc__
        assert module_doc and len(module_doc.split()) >= 8, (
            f"{rule.id}: explain why in the docstring"
        )
