"""A rule names the servers it judges by their Dialect classes, never by strings: what is
not a known server's Dialect fails loudly when the Linter is built, instead of silently
judging nothing (or another server's files)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from dbshift.dialects import Dialect, UnknownDialect
from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.engine import Linter
from dbshift.lint.rule import DEFAULT_SERVERS, Rule, Server, Severity
from dbshift.lint.rules import all_rules


def rule_for(dialects: tuple[Any, ...]) -> Rule:
    class Probe(Rule):
        id = "probe"
        severity = Severity.WARNING
        summary = "a rule made up for the test"

    Probe.dialects = dialects
    return Probe()


class Cockroach(Dialect):
    """A Dialect subclass no server name answers to."""

    name: ClassVar[str] = "cockroachdb"


def test_every_registered_rule_names_known_dialects() -> None:
    rules = all_rules()
    for rule in rules:
        rule.check_dialects()
        assert rule.dialect_names() and set(rule.dialect_names()) <= {
            "postgresql",
            "mysql",
            "sqlite",
        }
    Linter(rules, DEFAULT_SERVERS["postgresql"])


@pytest.mark.parametrize(
    "dialects",
    [("postgres",), ("postgresql",), (PostgresDialect, "mysql"), (Dialect,), (Cockroach,), ()],
    ids=["typo", "a-name", "class-and-name", "the-base-class", "unregistered-subclass", "none"],
)
def test_a_dialect_that_is_not_a_servers_fails_loudly_when_the_linter_is_built(
    dialects: tuple[Any, ...],
) -> None:
    with pytest.raises(UnknownDialect, match="lint rule probe"):
        Linter([rule_for(dialects)], DEFAULT_SERVERS["postgresql"])


@pytest.mark.parametrize(
    ("server", "judged_by"),
    [
        (Server("postgresql", (15,)), PostgresDialect),
        (Server("mysql", (8, 0)), MySQLDialect),
        (Server("mariadb", (10, 11)), MySQLDialect),
        (Server("sqlite", (3,)), SQLiteDialect),
    ],
)
def test_a_rule_is_active_exactly_on_the_servers_its_classes_name(
    server: Server, judged_by: type[Dialect]
) -> None:
    every = (PostgresDialect, MySQLDialect, SQLiteDialect)
    for dialect in every:
        rule = rule_for((dialect,))
        assert (Linter([rule], server).rules == [rule]) is (dialect is judged_by)
    others = tuple(d for d in every if d is not judged_by)
    assert Linter([rule_for(others)], server).rules == []


def test_the_default_servers_are_the_products_each_dialect_names() -> None:
    # One default per product, the versions dbshift is tested on, each judged by the
    # Dialect that lists the product (MariaDB by MySQLDialect).
    assert {name: server.version for name, server in DEFAULT_SERVERS.items()} == {
        "postgresql": (15,),
        "mysql": (8, 0, 36),
        "mariadb": (10, 11),
        "sqlite": (3, 40),
    }
    for name, server in DEFAULT_SERVERS.items():
        assert server.product.value == name
        assert server.product in type(server.facts).products
