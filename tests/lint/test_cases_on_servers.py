"""Every rule example (``CASES`` in tests/lint/rules/) runs on the real server of its
dialect: the setup, then the statements. An example the server rejects is a broken test,
not a lint finding, so it fails here."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.lint.rules as rule_tests
from dbshift.dialects import named
from dbshift.migrations.splitter import split_sql
from tests.conftest import Database, fresh_database
from tests.lint.cases import Case


def _all_cases() -> list[Case]:
    cases: list[Case] = []
    for info in pkgutil.iter_modules(rule_tests.__path__):
        module = importlib.import_module(f"tests.lint.rules.{info.name}")
        cases.extend(getattr(module, "CASES", []))
    return cases


CASES = _all_cases()


def _runnable(dialect: str) -> list[Case]:
    return [c for c in CASES if c.dialect == dialect and not c.no_run]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Database]]:
    """One scratch database per server for the whole module (a database per case costs
    seconds on MySQL); each case starts from an empty schema."""
    stacks = {}
    out = {}
    for dialect in ("postgresql", "mysql"):
        gen = fresh_database(dialect, tmp_path_factory.mktemp(dialect))
        out[dialect] = next(gen)
        stacks[dialect] = gen
    yield out
    for gen in stacks.values():
        with pytest.raises(StopIteration):
            next(gen)


def _run(db: Database, case: Case, tmp: Path) -> None:
    if case.dialect == "sqlite":
        db = Database("sqlite", f"sqlite:///{tmp / 'case.db'}")
    with db.connect() as conn:
        if case.dialect == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        elif case.dialect == "mysql":
            name = conn.exec_driver_sql("SELECT DATABASE()").scalar()
            conn.exec_driver_sql(f"DROP DATABASE `{name}`")
            conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
            conn.exec_driver_sql(f"USE `{name}`")
        statements = split_sql(case.setup, named(case.dialect)) + split_sql(
            case.sql, named(case.dialect)
        )
        for stmt in statements:
            conn.exec_driver_sql(stmt.sql)
        if case.dialect == "sqlite":
            conn.commit()


@pytest.mark.postgres
@pytest.mark.parametrize("case", _runnable("postgresql"), ids=lambda c: c.id)
def test_postgresql_example_runs(case: Case, servers: dict[str, Database], tmp_path: Path) -> None:
    _run(servers["postgresql"], case, tmp_path)


@pytest.mark.mysql
@pytest.mark.parametrize("case", _runnable("mysql"), ids=lambda c: c.id)
def test_mysql_example_runs(case: Case, servers: dict[str, Database], tmp_path: Path) -> None:
    _run(servers["mysql"], case, tmp_path)


@pytest.mark.parametrize("case", _runnable("sqlite"), ids=lambda c: c.id)
def test_sqlite_example_runs(case: Case, tmp_path: Path) -> None:
    _run(Database("sqlite", ""), case, tmp_path)
