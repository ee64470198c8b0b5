"""The facts each Dialect object holds, checked against the servers themselves."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbshift.connection import create_engine, parse_url
from dbshift.dialects import NAMES, UnknownDialect, classes, dialect_for, for_scheme, named
from dbshift.errors import ConnectError, UsageError
from tests.conftest import Database

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)


@pytest.mark.parametrize("typo", ["postgres", "Postgresql", "mysql8", "", "sqlite3"])
def test_a_dialect_name_typo_fails_loudly(typo: str) -> None:
    with pytest.raises(UnknownDialect, match="unknown dialect"):
        named(typo)


def test_every_name_gives_its_own_dialect() -> None:
    assert [named(n).name for n in NAMES] == list(NAMES)
    assert named("mariadb").name == "mysql"


def test_each_url_scheme_names_one_server_with_its_default_driver() -> None:
    schemes = [scheme for dialect in classes() for scheme in dialect.url_schemes]
    assert len(schemes) == len(set(schemes))
    assert sorted(schemes) == ["mariadb", "mysql", "postgres", "postgresql", "sqlite"]
    for dialect in classes():
        assert dialect.default_driver in dialect.driver_modules
        for scheme, sqlalchemy_name in dialect.url_schemes.items():
            assert for_scheme(scheme) == (dialect, sqlalchemy_name)
            raw = f"{scheme}:///x.db" if dialect.database_is_a_file else f"{scheme}://u@h/db"
            url = parse_url(raw)
            assert url.drivername == f"{sqlalchemy_name}+{dialect.default_driver}"
            assert type(dialect_for(url)) is dialect
    assert for_scheme("oracle") is None
    with pytest.raises(UsageError, match="unsupported database URL scheme 'oracle'"):
        parse_url("oracle://u@h/db")


@pytest.mark.parametrize(
    ("raw", "extra"),
    [("postgresql+psycopg2://u@h/db", "postgres"), ("mysql+mysqldb://u@h/db", "mysql")],
)
def test_a_missing_driver_names_the_extra_of_its_server(raw: str, extra: str) -> None:
    import importlib.util

    driver = parse_url(raw).get_driver_name()
    module = next(d.driver_modules[driver] for d in classes() if driver in d.driver_modules)
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed")
    with pytest.raises(ConnectError, match=rf"pip install 'dbshift\[{extra}\]'"):
        create_engine(parse_url(raw), connect_timeout=1, busy_timeout=1)


def test_a_facts_only_dialect_has_no_url() -> None:
    with pytest.raises(TypeError, match="not bound"):
        _ = named("postgresql").url


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT)
def test_literal_round_trips_through_the_server(db: Database, text: str) -> None:
    if db.backend == "mysql":
        text = "".join(c for c in text if ord(c) <= 0xFFFF)  # utf8mb3 connection charset
    dialect = dialect_for(parse_url(db.url))
    with db.connect() as connection:
        conn = connection.execution_options(no_parameters=True)
        got = conn.exec_driver_sql(f"SELECT {dialect.literal(text)}").scalar()
        assert got == text


@pytest.mark.parametrize("name", NAMES)
def test_fit_name_keeps_short_names_and_fits_long_ones(name: str) -> None:
    dialect = named(name)
    assert dialect.fit_name("orders") == "orders"
    long = "é" * 70
    fitted = dialect.fit_name(long)
    assert dialect.identifier_fits(fitted)
    assert dialect.fit_name(long) == fitted  # stable
    if name != "sqlite":
        assert fitted != long
        assert dialect.fit_name(long + "x") != fitted  # distinct names stay distinct


def test_postgres_limit_counts_bytes_mysql_counts_characters() -> None:
    assert named("postgresql").identifier_fits("a" * 63)
    assert not named("postgresql").identifier_fits("é" * 32)  # 64 bytes
    assert named("mysql").identifier_fits("é" * 64)
    assert not named("mysql").identifier_fits("a" * 65)


def test_bookkeeping_column_types_hold_a_key_long_text_and_the_utc_clock(db: Database) -> None:
    # The online journal's columns: a key of key_text_type, text longer than MySQL's TEXT,
    # and utc_now_sql stored in utc_time_type reads back as the current time in UTC.
    from datetime import UTC, datetime

    dialect = dialect_for(parse_url(db.url))
    table = dialect.quote("h_bookkeeping")
    long = "x" * 70_000
    with db.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE {table} (k {dialect.key_text_type} PRIMARY KEY, "
            f"v {dialect.long_text_type} NOT NULL, t {dialect.utc_time_type} NOT NULL)"
        )
        conn.exec_driver_sql(
            f"INSERT INTO {table} VALUES ('a', {dialect.literal(long)}, {dialect.utc_now_sql})"
        )
        value, stamp = conn.exec_driver_sql(f"SELECT v, t FROM {table}").one()
    assert value == long
    when = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - when).total_seconds()) < 60
