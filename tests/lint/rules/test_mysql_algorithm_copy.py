import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "mysql-algorithm-copy"
T = "CREATE TABLE t (id int NOT NULL PRIMARY KEY, a int NOT NULL, s varchar(10)) ENGINE=InnoDB"
NOPK = "CREATE TABLE t (id int NOT NULL, a int) ENGINE=InnoDB"
CASES = [
    Case("mysql", "ALTER TABLE t DROP PRIMARY KEY;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a);", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ADD PRIMARY KEY (id);", fires=True, setup=NOPK),
    Case("mysql", "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ENGINE=Aria;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t FORCE, ALGORITHM=COPY;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ADD COLUMN c int, ALGORITHM=COPY;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ENGINE=InnoDB;", fires=False, setup=T),
    Case("mysql", "ALTER TABLE t FORCE, ALGORITHM=INPLACE, LOCK=NONE;", fires=False, setup=T),
    Case(
        "mysql",
        "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a), ALGORITHM=INPLACE, LOCK=NONE;",
        fires=False,
        setup=T,
    ),
    Case("mysql", "ALTER TABLE t MODIFY a bigint NOT NULL, ALGORITHM=COPY;", fires=False, setup=T),
    Case(
        "mysql",
        "CREATE TABLE n (id int PRIMARY KEY);\nALTER TABLE n DROP PRIMARY KEY;",
        fires=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def _findings(sql: str, server: str = "") -> list[tuple[str, str]]:
    from dbshift.lint.rule import Server

    chosen = None
    if server:
        flavor, _, version = server.partition("-")
        chosen = Server(flavor, tuple(int(p) for p in version.split(".")))
    return [
        (str(f.severity), f.message)
        for f in lint_sql(sql, "mysql", server=chosen)
        if f.rule == RULE
    ]


def test_dropping_the_primary_key_alone_is_an_error_replacing_it_a_warning() -> None:
    assert _findings("ALTER TABLE t DROP PRIMARY KEY;")[0][0] == "error"
    assert _findings("ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a);") == [
        ("warning", 'primary key of "t" replaced')
    ]


def test_charset_conversion_is_a_warning_only_where_mariadb_can_do_it_instantly() -> None:
    sql = "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4;"
    assert _findings(sql, "mariadb-10.11")[0][0] == "warning"
    assert _findings(sql, "mysql-8.0.36")[0][0] == "error"
