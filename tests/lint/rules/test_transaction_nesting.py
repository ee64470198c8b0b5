import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "transaction-nesting"
T = "CREATE TABLE t (a int)"
CASES = [
    Case("postgresql", "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;", fires=True, setup=T),
    Case(
        "postgresql",
        "INSERT INTO t VALUES (1);\nBEGIN;\nINSERT INTO t VALUES (2);\nCOMMIT;",
        fires=True,
        setup=T,
    ),
    Case("postgresql", "INSERT INTO t VALUES (1);\nCOMMIT;", fires=True, setup=T),
    Case(
        "postgresql",
        "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;",
        fires=False,
        setup=T,
        transactional=False,
    ),
    Case(
        "postgresql",
        "SAVEPOINT s;\nINSERT INTO t VALUES (1);\nROLLBACK TO SAVEPOINT s;",
        fires=False,
        setup=T,
        no_run="a savepoint needs the migration's transaction, which the example runner lacks",
    ),
    Case("mysql", "START TRANSACTION;\nINSERT INTO t VALUES (1);\nCOMMIT;", fires=True, setup=T),
    Case("mysql", "INSERT INTO t VALUES (1);", fires=False, setup=T),
    # On SQLite a file that is one transaction of its own (a .dump) runs with the
    # migration's transaction in place of its BEGIN and END (migrations.sqlfile).
    Case("sqlite", "BEGIN;\nINSERT INTO t VALUES (1);\nEND;", fires=False, setup=T),
    Case(
        "sqlite",
        "BEGIN;\nINSERT INTO t VALUES (1);\nEND;\nINSERT INTO t VALUES (2);",
        fires=True,
        setup=T,
    ),
    Case(
        "sqlite",
        "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;",
        fires=False,
        setup=T,
        transactional=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_one_finding_per_file_at_the_first_verb() -> None:
    found = [f for f in lint_sql("SELECT 1;\nBEGIN;\nCOMMIT;\nBEGIN;\nCOMMIT;") if f.rule == RULE]
    assert [(f.line, f.message) for f in found] == [(3, "BEGIN inside the migration's transaction")]


def test_mysql_is_a_warning() -> None:
    (finding,) = [f for f in lint_sql("BEGIN;\nCOMMIT;", "mysql") if f.rule == RULE]
    assert str(finding.severity) == "warning"


def test_plain_file_with_its_own_transaction_is_quiet() -> None:
    assert RULE not in {f.rule for f in lint_sql("BEGIN;\nSELECT 1;\nCOMMIT;", plain=True)}
