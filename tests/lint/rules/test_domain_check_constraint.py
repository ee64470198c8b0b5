import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "domain-check-constraint"
D = "CREATE DOMAIN pos AS int;\nCREATE TABLE t (a pos)"
CASES = [
    Case("postgresql", "CREATE DOMAIN d AS int CHECK (VALUE > 0);", fires=True),
    Case("postgresql", "CREATE DOMAIN d AS int NOT NULL;", fires=False),
    Case("postgresql", "ALTER DOMAIN pos ADD CONSTRAINT c CHECK (VALUE > 0);", fires=True, setup=D),
    Case(
        "postgresql",
        "ALTER DOMAIN pos ADD CONSTRAINT c CHECK (VALUE > 0) NOT VALID;",
        fires=False,
        setup=D,
    ),
    Case("postgresql", "ALTER DOMAIN pos SET DEFAULT 1;", fires=False, setup=D),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_validating_add_is_an_error_create_a_warning() -> None:
    (add,) = [
        f
        for f in lint_sql("ALTER DOMAIN pos ADD CONSTRAINT c CHECK (VALUE > 0);")
        if f.rule == RULE
    ]
    assert str(add.severity) == "error" and '"pos"' in add.message
    (create,) = [f for f in lint_sql("CREATE DOMAIN d AS int CHECK (VALUE > 0);") if f.rule == RULE]
    assert str(create.severity) == "warning" and '"d"' in create.message
