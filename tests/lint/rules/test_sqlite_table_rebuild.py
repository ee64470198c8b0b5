import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "sqlite-table-rebuild"
T = "CREATE TABLE t (id integer PRIMARY KEY, a int)"
PARENT = (
    "CREATE TABLE p (id integer PRIMARY KEY, a int);\n"
    "CREATE TABLE c (id integer PRIMARY KEY, p_id int REFERENCES p (id) ON DELETE CASCADE)"
)
REBUILD = (
    "CREATE TABLE p_new (id integer PRIMARY KEY, a int, b int);\n"
    "INSERT INTO p_new (id, a) SELECT id, a FROM p;\n"
    "DROP TABLE p;\n"
    "ALTER TABLE p_new RENAME TO p;"
)
REFUSED = "SQLite refuses it: the hazard itself"
CASES = [
    Case(
        "sqlite", "ALTER TABLE t ALTER COLUMN a TYPE bigint;", fires=True, setup=T, no_run=REFUSED
    ),
    Case(
        "sqlite",
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a);",
        fires=True,
        setup=T,
        no_run=REFUSED,
    ),
    Case("sqlite", "ALTER TABLE t ADD COLUMN b int UNIQUE;", fires=True, setup=T, no_run=REFUSED),
    # Accepted on the example's empty table, refused once the table has a row.
    Case(
        "sqlite", "ALTER TABLE t ADD COLUMN b text DEFAULT CURRENT_TIMESTAMP;", fires=True, setup=T
    ),
    Case("sqlite", "ALTER TABLE t ADD COLUMN b int DEFAULT (1 + 1);", fires=True, setup=T),
    Case(
        "sqlite",
        "ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a + 1) STORED;",
        fires=True,
        setup=T,
    ),
    Case("sqlite", REBUILD, fires=True, setup=PARENT),
    Case("sqlite", f"PRAGMA foreign_keys=OFF;\n{REBUILD}", fires=True, setup=PARENT),
    Case(
        "sqlite",
        f"PRAGMA foreign_keys=OFF;\nBEGIN;\n{REBUILD}\nPRAGMA foreign_key_check;\nCOMMIT;",
        fires=True,
        setup=PARENT,
        transactional=False,
    ),
    Case("sqlite", "ALTER TABLE t ADD COLUMN b int DEFAULT -1;", fires=False, setup=T),
    Case("sqlite", "ALTER TABLE t ADD COLUMN b text NOT NULL DEFAULT 'x';", fires=False, setup=T),
    Case(
        "sqlite",
        "ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a + 1) VIRTUAL;",
        fires=False,
        setup=T,
    ),
    Case("sqlite", "ALTER TABLE t RENAME COLUMN a TO b;", fires=False, setup=T),
    # drop-column reports the rewrite.
    Case("sqlite", "ALTER TABLE t DROP COLUMN a;", fires=False, setup=T),
    Case(
        "sqlite",
        "CREATE TABLE n (a int);\nALTER TABLE n ADD COLUMN b text DEFAULT CURRENT_TIMESTAMP;",
        fires=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def _findings(sql: str, *, transactional: bool = True) -> list[tuple[str, str]]:
    found = lint_sql(sql, "sqlite", transactional=transactional)
    return [(str(f.severity), f.why) for f in found if f.rule == RULE]


def test_rebuild_without_pragma_is_an_error() -> None:
    ((severity, why),) = _findings(REBUILD)
    assert severity == "error" and "CASCADE" in why


def test_pragma_inside_the_migration_transaction_is_a_no_op() -> None:
    ((severity, why),) = _findings(f"PRAGMA foreign_keys=OFF;\n{REBUILD}")
    assert severity == "error" and "no-op inside a transaction" in why


def test_pragma_before_begin_leaves_a_warning_about_the_write_lock() -> None:
    sql = f"PRAGMA foreign_keys=OFF;\nBEGIN;\n{REBUILD}\nCOMMIT;"
    ((severity, why),) = _findings(sql, transactional=False)
    assert severity == "warning" and "write lock" in why
