import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "ddl-with-data-backfill"
T = "CREATE TABLE t (a int);\nCREATE TABLE u (a int)"
CASES = [
    Case("postgresql", "ALTER TABLE t ADD COLUMN b int;\nUPDATE t SET b = a;", fires=True, setup=T),
    Case(
        "postgresql",
        "DELETE FROM u WHERE a IS NULL;\nALTER TABLE u ALTER COLUMN a SET NOT NULL;",
        fires=True,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD COLUMN b int;\nUPDATE t SET b = a;",
        fires=False,
        setup=T,
        transactional=False,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD COLUMN b int;\nINSERT INTO t (a) VALUES (1);",
        fires=False,
        setup=T,
    ),
    Case(
        "postgresql",
        "CREATE TABLE n (a int);\nINSERT INTO n SELECT a FROM t;",
        fires=False,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE u ADD COLUMN b int;\nINSERT INTO t SELECT a FROM u;",
        fires=True,
        setup=T,
    ),
    Case("sqlite", "ALTER TABLE t ADD COLUMN b int;\nUPDATE t SET b = a;", fires=True, setup=T),
    Case("sqlite", "UPDATE t SET a = 1;", fires=False, setup=T),
    Case(
        "sqlite",
        "ALTER TABLE t ADD COLUMN b int;\nUPDATE t SET b = a;",
        fires=False,
        setup=T,
        transactional=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_one_finding_at_the_second_kind_naming_both_lines() -> None:
    sql = "ALTER TABLE t ADD COLUMN b int;\nUPDATE t SET b = a;\nUPDATE t SET b = 1;"
    found = [f for f in lint_sql(sql) if f.rule == RULE]
    assert len(found) == 1
    assert found[0].line == 3
    assert "line 2" in found[0].message and "line 3" in found[0].message
    assert '"t"' in found[0].message


def test_a_commit_between_them_is_quiet() -> None:
    sql = "BEGIN;\nALTER TABLE t ADD COLUMN b int;\nCOMMIT;\nBEGIN;\nUPDATE t SET b = a;\nCOMMIT;"
    assert RULE not in {f.rule for f in lint_sql(sql, plain=True)}
