import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "mysql-add-column-not-instant"
T = "CREATE TABLE t (id int NOT NULL, a int, KEY (id)) ENGINE=InnoDB"
CASES = [
    Case("mysql", "ALTER TABLE t ADD COLUMN c int AUTO_INCREMENT UNIQUE;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ADD COLUMN c int AS (a + 1) STORED;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ADD COLUMN c int UNIQUE;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ADD COLUMN c char(36) DEFAULT (uuid());", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ADD COLUMN c int, ALGORITHM=INPLACE;", fires=True, setup=T),
    # mysql-algorithm-copy's.
    Case("mysql", "ALTER TABLE t ADD COLUMN c int, ALGORITHM=COPY;", fires=False, setup=T),
    Case(
        "mysql",
        "ALTER TABLE t ADD COLUMN c int FIRST;",
        fires=True,
        setup=T,
        server="mysql-8.0.28",
    ),
    Case(
        "mysql",
        "ALTER TABLE t ADD COLUMN c int AFTER id;",
        fires=True,
        setup=T,
        server="mariadb-10.3",
    ),
    Case("mysql", "ALTER TABLE t ADD COLUMN c int FIRST;", fires=False, setup=T),
    Case(
        "mysql",
        "ALTER TABLE t ADD COLUMN c int AFTER id;",
        fires=False,
        setup=T,
        server="mariadb-10.11",
    ),
    Case("mysql", "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;", fires=False, setup=T),
    Case("mysql", "ALTER TABLE t ADD COLUMN c int AS (a + 1) VIRTUAL;", fires=False, setup=T),
    Case("mysql", "ALTER TABLE t ADD COLUMN c int, ALGORITHM=INSTANT;", fires=False, setup=T),
    Case("mysql", "CREATE TABLE n (id int AUTO_INCREMENT PRIMARY KEY);", fires=False),
    Case(
        "mysql",
        "CREATE TABLE n (a int);\nALTER TABLE n ADD COLUMN id int AUTO_INCREMENT PRIMARY KEY;",
        fires=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def _severity(sql: str) -> str:
    (finding,) = [f for f in lint_sql(sql, "mysql") if f.rule == RULE]
    assert '"c"' in finding.message and '"t"' in finding.message
    return str(finding.severity)


def test_copy_is_an_error_in_place_rebuild_a_warning() -> None:
    assert _severity("ALTER TABLE t ADD COLUMN c int AS (a + 1) STORED;") == "error"
    assert _severity("ALTER TABLE t ADD COLUMN c char(36) DEFAULT (uuid());") == "error"
    assert _severity("ALTER TABLE t ADD COLUMN c int AUTO_INCREMENT UNIQUE;") == "warning"
