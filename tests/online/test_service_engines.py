"""Every server's Dialect has an online engine, found by its class, and a journal entry's
server name reaches the same engine (MariaDB's is the mysql one)."""

from __future__ import annotations

import pytest

from dbshift.dialects import NAMES, UnknownDialect, classes, named
from dbshift.online.service import engine_for, engine_named


def test_every_dialect_class_has_an_online_engine() -> None:
    engines = {dialect: type(engine_for(dialect())) for dialect in classes()}
    assert len(set(engines.values())) == len(engines)
    for name in NAMES:
        assert type(engine_named(name)) is engines[type(named(name))]
    assert type(engine_named("mariadb")) is type(engine_named("mysql"))


def test_a_misspelt_server_name_reaches_no_engine() -> None:
    with pytest.raises(UnknownDialect):
        engine_named("postgres")
