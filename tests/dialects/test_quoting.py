"""Property: any identifier survives quoting by each dialect, on a real server."""

from __future__ import annotations

import sqlalchemy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbshift.connection import parse_url
from dbshift.dialects import dialect_for, renderer_for
from dbshift.migrations.splitter import split_sql
from tests.conftest import Database

NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=20,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES)
def test_quoted_identifier_round_trips(db: Database, name: str) -> None:
    if db.backend == "mysql":
        # MySQL names: Basic Multilingual Plane only, no trailing space (server rules).
        name = "".join(c for c in name if ord(c) <= 0xFFFF).rstrip() or "x"
    dialect = dialect_for(parse_url(db.url))
    quoted = dialect.quote_ident(name)
    statements = split_sql(f"CREATE TABLE {quoted} (id INTEGER); DROP TABLE {quoted};", dialect)
    assert len(statements) == 2  # the splitter agrees with the quoting
    with db.connect() as connection:
        conn = connection.execution_options(no_parameters=True)  # as dbshift runs statements
        conn.exec_driver_sql(statements[0].sql)
        try:
            names = sqlalchemy.inspect(conn).get_table_names()
            assert name in names or name.lower() in [n.lower() for n in names]
        finally:
            conn.exec_driver_sql(statements[1].sql)
        connection.commit()


@given(name=NAMES)
def test_renderers_quote_as_sqlalchemy_does(name: str) -> None:
    """Dialects and renderers quote by hand (no SQLAlchemy import on the diff path); they
    must give exactly what SQLAlchemy's identifier preparer gives."""
    for url in ("postgresql://", "mysql://", "sqlite://"):
        dialect = dialect_for(parse_url(url))
        expected = dialect.sa_dialect.identifier_preparer.quote_identifier(name)
        assert dialect.quote(name) == expected
        assert renderer_for(dialect.name).q(name) == expected
