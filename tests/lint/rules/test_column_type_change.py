import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "column-type-change"
PG = "CREATE TABLE t (a int, s varchar(10), n numeric(10, 2), ts timestamp)"
MY = "CREATE TABLE t (a int, s varchar(10))"
CASES = [
    Case("postgresql", "ALTER TABLE t ALTER COLUMN a TYPE bigint;", fires=True, setup=PG),
    Case(
        "postgresql",
        "ALTER TABLE t ALTER COLUMN s TYPE int USING s::int;",
        fires=True,
        setup=PG,
    ),
    Case("postgresql", "ALTER TABLE t ALTER COLUMN s TYPE varchar(20);", fires=True, setup=PG),
    Case("postgresql", "ALTER TABLE t ALTER COLUMN n TYPE numeric(12, 2);", fires=True, setup=PG),
    Case("postgresql", "ALTER TABLE t ALTER COLUMN s TYPE text;", fires=False, setup=PG),
    Case("postgresql", "ALTER TABLE t ALTER COLUMN s TYPE varchar;", fires=False, setup=PG),
    Case(
        "postgresql",
        "CREATE TABLE n (a int);\nALTER TABLE n ALTER COLUMN a TYPE bigint;",
        fires=False,
    ),
    Case("mysql", "ALTER TABLE t MODIFY a bigint;", fires=True, setup=MY),
    Case("mysql", "ALTER TABLE t CHANGE s s varchar(20);", fires=True, setup=MY),
    Case(
        "mysql",
        "ALTER TABLE t MODIFY s varchar(20), ALGORITHM=INSTANT;",
        fires=False,
        setup=MY,
    ),
    Case(
        "mysql",
        "ALTER TABLE t MODIFY a int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;",
        fires=False,
        setup=MY,
    ),
    Case("mysql", "CREATE TABLE n (a int);\nALTER TABLE n MODIFY a bigint;", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def _finding(sql: str, dialect: str = "postgresql") -> tuple[str, str, str]:
    (finding,) = [f for f in lint_sql(sql, dialect) if f.rule == RULE]
    return str(finding.severity), finding.message, finding.why


def test_postgresql_rewrite_is_an_error_naming_the_new_type() -> None:
    severity, message, why = _finding("ALTER TABLE t ALTER COLUMN a TYPE bigint;")
    assert severity == "error" and '"a"' in message and "bigint" in message
    assert "ACCESS EXCLUSIVE" in why


def test_postgresql_possibly_binary_coercible_change_is_a_warning_saying_from_what() -> None:
    severity, _, why = _finding("ALTER TABLE t ALTER COLUMN n TYPE numeric(12, 2);")
    assert severity == "warning" and "numeric(p, 2) with p <= 12" in why
    severity, _, why = _finding("ALTER TABLE t ALTER COLUMN ts TYPE timestamptz;")
    assert severity == "warning" and "UTC" in why


def test_mysql_varchar_is_a_warning_other_types_an_error() -> None:
    assert _finding("ALTER TABLE t MODIFY s varchar(20);", "mysql")[0] == "warning"
    assert _finding("ALTER TABLE t MODIFY a bigint;", "mysql")[0] == "error"
