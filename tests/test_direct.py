"""dbshift.direct reads URLs exactly as SQLAlchemy does, or hands them back to it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dbshift import direct
from dbshift.connection import mask_url, parse_url
from dbshift.errors import ConnectError
from tests.conftest import Database

PARTS = st.text(alphabet="ab:@/?&=%+ .[]#-_é", max_size=6)


def _same_as_sqlalchemy(raw: str) -> None:
    ours = direct.parse(raw)
    if ours is None:
        return  # SQLAlchemy decides (and words any error)
    theirs = parse_url(raw)
    assert ours.drivername == theirs.drivername
    assert (ours.username, ours.password) == (theirs.username, theirs.password)
    assert (ours.host, ours.port, ours.database) == (theirs.host, theirs.port, theirs.database)
    assert ours.query == {
        k: list(v) if isinstance(v, tuple) else v for k, v in theirs.query.items()
    }
    assert ours.masked() == mask_url(theirs)


@pytest.mark.parametrize(
    "raw",
    [
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "postgres://u:p%40ss@h/db?sslmode=require&application_name=x",
        "postgresql+psycopg://u@[::1]:5433/d%2Fb",
        "postgresql+psycopg2://u:pw@h/db",
        "postgresql://",
        "postgresql:///db?host=/tmp&host=/var/run",
        "mysql://root@127.0.0.1:3306/test",
        "mariadb://root:secret@localhost/test?charset=utf8mb4",
        "mysql+mysqldb://root@h/test",
        "sqlite:///relative.db",
        "sqlite:////tmp/absolute.db",
        "sqlite://",
        "sqlite:///:memory:",
    ],
)
def test_parses_as_sqlalchemy(raw: str) -> None:
    assert direct.parse(raw) is not None
    _same_as_sqlalchemy(raw)


@given(user=PARTS, password=PARTS, host=PARTS, port=st.sampled_from(["", ":5432", ":x"]))
def test_any_url_parses_as_sqlalchemy_or_is_handed_back(
    user: str, password: str, host: str, port: str
) -> None:
    for scheme in ("postgresql", "mysql", "sqlite"):
        try:
            _same_as_sqlalchemy(f"{scheme}://{user}:{password}@{host}{port}/db")
        except Exception as exc:  # SQLAlchemy refuses some of these: then so must we
            assert direct.parse(f"{scheme}://{user}:{password}@{host}{port}/db") is None, exc


@pytest.mark.parametrize(
    "raw",
    [
        "postgresql+psycopg2://u@h/db",  # another driver
        "postgresql:///db?host=/a&host=/b",  # several hosts
        "mysql://root@h/test?charset=latin1",  # options SQLAlchemy's dialect converts
        "sqlite:///x.db?mode=ro",
        "oracle://u@h/db",
        "not a url",
    ],
)
def test_uncommon_urls_take_the_sqlalchemy_path(raw: str) -> None:
    assert direct.connect(raw, connect_timeout=1, busy_timeout=1) is None


def test_refused_connection_is_one_masked_line() -> None:
    with pytest.raises(ConnectError) as caught:
        direct.connect("postgresql://u:secret@127.0.0.1:1/db", connect_timeout=1, busy_timeout=1)
    message = str(caught.value)
    assert message.startswith("cannot connect to postgresql+psycopg://u:***@127.0.0.1:1/db: ")
    assert "secret" not in message and "\n" not in message


def test_mysql_connections_share_one_default_tls_context(mysql_db: Database) -> None:
    """Each PyMySQL connection made its own default TLS context (23 ms of CPU: the
    system's certificate authorities); the bare path makes it once per process."""
    first = direct.connect(mysql_db.url, connect_timeout=10, busy_timeout=5)
    second = direct.connect(mysql_db.url, connect_timeout=10, busy_timeout=5)
    assert first is not None and second is not None
    try:
        if getattr(first.dbapi, "ctx", None) is None:
            pytest.skip("this PyMySQL makes no default TLS context")
        assert first.dbapi.ctx is second.dbapi.ctx
        with first.dbapi.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchall() == ((1,),)
    finally:
        first.close()
        second.close()
