import pytest

from dbshift.lint.rule import Server
from tests.lint.cases import Case, check, lint_sql

RULE = "detach-partition-blocking"
T = (
    "CREATE TABLE p (id int) PARTITION BY RANGE (id);\n"
    "CREATE TABLE c PARTITION OF p FOR VALUES FROM (0) TO (10)"
)
CASES = [
    Case("postgresql", "ALTER TABLE p DETACH PARTITION c;", fires=True, setup=T),
    Case(
        "postgresql",
        "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;",
        fires=False,
        setup=T,
        transactional=False,
    ),
    Case(
        "postgresql",
        "CREATE TABLE n (id int) PARTITION BY RANGE (id);\n"
        "CREATE TABLE n1 PARTITION OF n FOR VALUES FROM (0) TO (10);\n"
        "ALTER TABLE n DETACH PARTITION n1;",
        fires=False,
    ),
    Case(
        "postgresql",
        "ALTER TABLE p DETACH PARTITION c;",
        fires=False,
        setup=T,
        server="postgresql-13",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_message_names_parent_and_partition() -> None:
    sql = "ALTER TABLE p DETACH PARTITION c;"
    (finding,) = [f for f in lint_sql(sql, server=Server("postgresql", (14,))) if f.rule == RULE]
    assert '"p"' in finding.message and '"c"' in finding.message
    assert "CONCURRENTLY" in finding.fix
