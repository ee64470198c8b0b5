import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "drop-partition"
T = (
    "CREATE TABLE t (id int NOT NULL, d date NOT NULL) PARTITION BY RANGE (YEAR(d))"
    " (PARTITION p1 VALUES LESS THAN (2024), PARTITION p2 VALUES LESS THAN (2025),"
    " PARTITION p3 VALUES LESS THAN MAXVALUE)"
)
CASES = [
    Case("mysql", "ALTER TABLE t DROP PARTITION p1;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE `t` DROP PARTITION `p1`, p2;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t TRUNCATE PARTITION p1;", fires=True, setup=T),
    Case("mysql", f"{T};\nALTER TABLE t DROP PARTITION p1;", fires=False),
    Case(
        "mysql",
        "ALTER TABLE h COALESCE PARTITION 1;",
        fires=False,
        setup="CREATE TABLE h (id int) PARTITION BY HASH (id) PARTITIONS 3",
    ),
    # sqlglot fails on these PARTITION BY clauses; the tables still lint (no parse-error).
    Case(
        "mysql",
        "CREATE TABLE l (r char(2)) PARTITION BY LIST COLUMNS (`r`)"
        " (PARTITION a VALUES IN ('x') COMMENT = 'it''s (x)', PARTITION b DEFAULT);\n"
        "ALTER TABLE l DROP PARTITION a;",
        fires=False,
    ),
    Case(
        "mysql",
        "ALTER TABLE t REORGANIZE PARTITION p3 INTO (PARTITION p3a VALUES LESS THAN (2026),"
        " PARTITION p3 VALUES LESS THAN MAXVALUE);",
        fires=False,
        setup=T,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_the_finding_names_the_partitions_and_the_table() -> None:
    sql = "ALTER TABLE `page views` DROP PARTITION `p 2024`, p2025;"
    (finding,) = [f for f in lint_sql(sql, dialect="mysql") if f.rule == RULE]
    assert "DROP PARTITION p 2024, p2025 of" in finding.message
    assert "page views" in finding.message
