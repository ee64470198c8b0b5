import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "add-column-volatile-default"
T = "CREATE TABLE t (a int)"
CASES = [
    Case("postgresql", "ALTER TABLE t ADD COLUMN r float8 DEFAULT random();", fires=True, setup=T),
    Case(
        "postgresql",
        "ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();",
        fires=True,
        setup=T,
    ),
    Case("postgresql", "ALTER TABLE t ADD COLUMN id bigserial;", fires=True, setup=T),
    Case(
        "postgresql",
        "ALTER TABLE t ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;",
        fires=True,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD COLUMN d int GENERATED ALWAYS AS (a * 2) STORED;",
        fires=True,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now();",
        fires=False,
        setup=T,
    ),
    Case("postgresql", "ALTER TABLE t ADD COLUMN c int DEFAULT 0;", fires=False, setup=T),
    Case(
        "postgresql",
        "ALTER TABLE t ADD COLUMN c int DEFAULT 0;",
        fires=True,
        setup=T,
        server="postgresql-10",
    ),
    Case(
        "postgresql",
        "CREATE TABLE n (a int);\nALTER TABLE n ADD COLUMN id bigserial;",
        fires=False,
    ),
    Case("postgresql", "CREATE TABLE n (id bigserial, r float8 DEFAULT random());", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_message_names_column_table_and_default() -> None:
    sql = "ALTER TABLE t ADD COLUMN r float8 DEFAULT random();"
    (finding,) = [f for f in lint_sql(sql) if f.rule == RULE]
    assert '"r"' in finding.message and '"t"' in finding.message and "random()" in finding.message
    assert "ACCESS EXCLUSIVE" in finding.why


def test_an_empty_blob_default_is_read_not_a_crash() -> None:
    # sqlglot cannot print X'' back: the linter reads it without printing it.
    found = lint_sql("CREATE TABLE b (body BLOB NOT NULL DEFAULT x'');", "sqlite")
    assert "parse-error" not in {f.rule for f in found}
