import pytest

from dbshift.lint.rule import Server
from tests.lint.cases import Case, check, lint_sql

RULE = "set-not-null"
T = "CREATE TABLE t (a int, b int)"
CASES = [
    Case("postgresql", "ALTER TABLE t ALTER COLUMN a SET NOT NULL;", fires=True, setup=T),
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        fires=True,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t VALIDATE CONSTRAINT a_nn;\n"
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"
        "ALTER TABLE t DROP CONSTRAINT a_nn;",
        fires=False,
        setup=T + ";\nALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID",
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE t VALIDATE CONSTRAINT a_nn;\n"
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        fires=False,
        setup=T,
        transactional=False,
    ),
    Case("postgresql", "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;", fires=False, setup=T),
    Case(
        "postgresql",
        "CREATE TABLE n (a int);\nALTER TABLE n ALTER COLUMN a SET NOT NULL;",
        fires=False,
    ),
    Case("mysql", "ALTER TABLE t MODIFY a int NOT NULL;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t MODIFY a bigint NULL;", fires=False, setup=T),
    Case(
        "mysql",
        "ALTER TABLE k MODIFY id bigint NOT NULL AUTO_INCREMENT;",
        fires=False,
        setup="CREATE TABLE k (id int NOT NULL AUTO_INCREMENT PRIMARY KEY)",
    ),
    Case("mysql", "CREATE TABLE n (a int);\nALTER TABLE n MODIFY a int NOT NULL;", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_postgresql_12_fix_is_the_check_constraint() -> None:
    (finding,) = [f for f in lint_sql("ALTER TABLE t ALTER a SET NOT NULL;") if f.rule == RULE]
    assert '"t"."a"' in finding.message
    assert "CHECK (a IS NOT NULL) NOT VALID" in finding.fix


def test_postgresql_11_has_no_way_around_the_scan() -> None:
    sql = (
        "ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL);\n"
        "ALTER TABLE t ALTER a SET NOT NULL;"
    )
    (finding,) = [f for f in lint_sql(sql, server=Server("postgresql", (11,))) if f.rule == RULE]
    assert "postgresql 11" in finding.fix


def test_mysql_is_a_warning() -> None:
    (finding,) = [
        f for f in lint_sql("ALTER TABLE t MODIFY a int NOT NULL;", "mysql") if f.rule == RULE
    ]
    assert str(finding.severity) == "warning" and '"a"' in finding.message
