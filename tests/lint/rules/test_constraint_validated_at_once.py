import pytest

from dbshift.lint.rule import Server
from tests.lint.cases import Case, check, lint_sql

RULE = "constraint-validated-at-once"
T = "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE t (a int, b int)"
CASES = [
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id);",
        fires=True,
        setup=T,
    ),
    Case("postgresql", "ALTER TABLE t ADD CONSTRAINT ck CHECK (b > 0);", fires=True, setup=T),
    Case("postgresql", "ALTER TABLE t ADD COLUMN c int REFERENCES p (id);", fires=True, setup=T),
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id) NOT VALID;",
        fires=False,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT ck CHECK (b > 0) NOT VALID;",
        fires=False,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT ck CHECK (b > 0) NOT VALID;\n"
        "ALTER TABLE t VALIDATE CONSTRAINT ck;",
        fires=True,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT ck CHECK (b > 0) NOT VALID;\n"
        "ALTER TABLE t VALIDATE CONSTRAINT ck;",
        fires=False,
        setup=T,
        transactional=False,
    ),
    Case(
        "postgresql",
        "CREATE TABLE n (a int REFERENCES p (id));\nALTER TABLE n ADD CONSTRAINT ck CHECK (a > 0);",
        fires=False,
        setup="CREATE TABLE p (id int PRIMARY KEY)",
    ),
    Case(
        "mysql",
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id);",
        fires=True,
        setup=T,
    ),
    Case(
        "mysql",
        "SET foreign_key_checks = 0;\n"
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id), "
        "ALGORITHM=INPLACE, LOCK=NONE;\n"
        "SET foreign_key_checks = 1;",
        fires=False,
        setup=T,
    ),
    Case(
        "mysql",
        "SET foreign_key_checks = 0;\n"
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id), ALGORITHM=COPY;\n"
        "SET foreign_key_checks = 1;",
        fires=True,
        setup=T,
    ),
    Case("mysql", "ALTER TABLE t ADD CONSTRAINT ck CHECK (b > 0);", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ADD CHECK (b > 0);", fires=True, setup=T),
    Case("mysql", "CREATE TABLE n (a int, CONSTRAINT ck CHECK (a > 0));", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_foreign_key_message_names_both_tables() -> None:
    sql = "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p (id);"
    (finding,) = [f for f in lint_sql(sql) if f.rule == RULE]
    assert '"t"' in finding.message and '"p"' in finding.message
    assert "NOT VALID" in finding.fix and "SHARE ROW EXCLUSIVE" in finding.why


def test_mariadb_check_names_the_copy() -> None:
    server = Server("mariadb", (10, 11))
    sql = "ALTER TABLE t ADD CONSTRAINT ck CHECK (b > 0);"
    (finding,) = [f for f in lint_sql(sql, "mysql", server=server) if f.rule == RULE]
    assert "ALGORITHM=COPY" in finding.why and '"t"' in finding.message


def test_validate_after_a_commit_is_quiet() -> None:
    sql = (
        "BEGIN;\nALTER TABLE t ADD CONSTRAINT ck CHECK (b > 0) NOT VALID;\nCOMMIT;\n"
        "ALTER TABLE t VALIDATE CONSTRAINT ck;"
    )
    assert RULE not in {f.rule for f in lint_sql(sql, plain=True)}
