import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "add-column-required"
T = "CREATE TABLE t (a int)"
CASES = [
    Case("postgresql", "ALTER TABLE t ADD COLUMN c int NOT NULL;", fires=True, setup=T),
    Case("postgresql", "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;", fires=False, setup=T),
    Case("postgresql", "ALTER TABLE t ADD COLUMN c bigserial;", fires=False, setup=T),
    Case(
        "postgresql",
        "ALTER TABLE t ADD COLUMN c bigint GENERATED ALWAYS AS IDENTITY;",
        fires=False,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD COLUMN c int NOT NULL GENERATED ALWAYS AS (a + 1) STORED;",
        fires=False,
        setup=T,
    ),
    Case("postgresql", "CREATE TABLE n (a int NOT NULL);", fires=False),
    Case("postgresql", "CREATE TABLE n (a int);\nALTER TABLE n ADD b int NOT NULL;", fires=False),
    Case("mysql", "ALTER TABLE t ADD COLUMN c int NOT NULL;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;", fires=False, setup=T),
    Case(
        "mysql",
        "ALTER TABLE t ADD COLUMN id int NOT NULL AUTO_INCREMENT PRIMARY KEY;",
        fires=False,
        setup=T,
    ),
    Case("sqlite", "ALTER TABLE t ADD COLUMN c int NOT NULL;", fires=True, setup=T),
    Case("sqlite", "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;", fires=False, setup=T),
    Case("sqlite", "ALTER TABLE t ADD COLUMN c int;", fires=False, setup=T),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_message_names_column_and_says_why_for_the_server(dialect: str) -> None:
    sql = "ALTER TABLE t ADD COLUMN c int NOT NULL;"
    (finding,) = [f for f in lint_sql(sql, dialect) if f.rule == RULE]
    assert '"c"' in finding.message and '"t"' in finding.message
    expected = {"postgresql": "contains null values", "mysql": "1364", "sqlite": "SQLite"}
    assert expected[dialect] in finding.why
