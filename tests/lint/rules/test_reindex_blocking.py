import pytest

from dbshift.lint.rule import Server
from tests.lint.cases import Case, check, lint_sql

RULE = "reindex-blocking"
T = "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a)"
CASES = [
    Case("postgresql", "REINDEX INDEX i;", fires=True, setup=T),
    Case("postgresql", "REINDEX TABLE t;", fires=True, setup=T),
    Case("postgresql", "REINDEX TABLE CONCURRENTLY t;", fires=False, setup=T, transactional=False),
    Case(
        "postgresql",
        "REINDEX (VERBOSE) INDEX CONCURRENTLY i;",
        fires=False,
        setup=T,
        transactional=False,
    ),
    Case("postgresql", "CREATE TABLE n (a int);\nREINDEX TABLE n;", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_message_names_what_is_rebuilt() -> None:
    (finding,) = [f for f in lint_sql("REINDEX INDEX i;") if f.rule == RULE]
    assert 'INDEX "i"' in finding.message
    assert "REINDEX INDEX CONCURRENTLY i" in finding.fix


def test_before_postgresql_12_the_fix_is_a_new_index() -> None:
    old = Server("postgresql", (11,))
    (finding,) = [f for f in lint_sql("REINDEX TABLE t;", server=old) if f.rule == RULE]
    assert "CREATE INDEX CONCURRENTLY" in finding.fix
