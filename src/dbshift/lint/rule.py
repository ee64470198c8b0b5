"""The contract of a lint rule, what it reports, and what it may know about the file.

A rule is a class with a stable id, a severity, the dialects it speaks for, and the action
kinds it wants to see (``acts``). The engine calls ``check_action`` once per matching
action, ``check_statement`` once per statement for rules that declare no kinds, and
``finish`` at the end of each file. Rules keep no state of their own between files; what
they need to remember goes in ``FileContext.state``.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dbshift.dialects import NAMES, Dialect, UnknownDialect, classes, named
from dbshift.dialects.base import Product as Product  # the rules' name for it
from dbshift.lint.facts import Act, Action, Stmt


class Severity(enum.IntEnum):
    """Ordered so ``max()`` gives the worst; only ERROR fails a lint run."""

    NOTICE = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Server:
    """Which server and version the migrations will run on: INSTANT, NOT NULL via CHECK
    and similar answers depend on it. ``flavor`` is postgresql, mysql, mariadb or sqlite."""

    flavor: str
    version: tuple[int, ...]

    @functools.cached_property
    def facts(self) -> Dialect:
        """The dialect (MariaDB's is mysql): its facts, flags and safety table. An unknown
        flavor fails here, loudly (``UnknownDialect``)."""
        return named(self.flavor)

    @property
    def product(self) -> Product:
        return Product(self.flavor)

    def at_least(self, *version: int) -> bool:
        return self.version >= version

    def __str__(self) -> str:
        return f"{self.flavor} {'.'.join(map(str, self.version))}"


#: What a rule assumes when nobody says which server, by product name: each Dialect's
#: ``products`` (the current releases dbshift is tested on, MySQL 8.0's latest patch level).
DEFAULT_SERVERS = {
    product.value: Server(product.value, version)
    for dialect in classes()
    for product, version in dialect.products.items()
}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    path: str
    line: int
    #: What the statement does that is a problem, naming the objects.
    message: str
    #: Why it is dangerous on this server: lock taken, rewrite, old code breaks, data lost.
    why: str = ""
    #: The safe alternative.
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "why": self.why,
            "fix": self.fix,
        }


@dataclass
class FileContext:
    """What the engine knows about the file so far, updated after every statement."""

    path: str
    server: Server
    #: The statements run inside one transaction (a dbshift migration without
    #: ``no-transaction``, or after an explicit BEGIN in a plain file).
    in_transaction: bool
    #: Tables created earlier in this file: they hold no rows and no traffic yet, so
    #: locks and rewrites on them are harmless.
    created: set[str] = field(default_factory=set)
    #: Session settings made so far (lower-case name -> value text).
    settings: dict[str, str] = field(default_factory=dict)
    #: ``-- dbshift:lock-timeout`` in seconds (0: off); None when the file does not say.
    lock_timeout: float | None = None
    #: The first DDL and the first data statement seen, if any.
    first_ddl: Stmt | None = None
    first_data: Stmt | None = None
    #: Per-rule memory for the file, keyed by rule id.
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def dialect(self) -> Dialect:
        return self.server.facts

    def is_new(self, table: str | None) -> bool:
        return table is not None and table in self.created


class Rule:
    """Base class of every rule: subclasses set the class attributes and override one or
    more of the ``check_*`` hooks."""

    id: ClassVar[str]
    severity: ClassVar[Severity]
    #: The servers the rule judges, as Dialect classes (``PostgresDialect``, …), never
    #: names: a misspelt class does not import, and anything that is not a server's
    #: Dialect is refused when the Linter is built (``check_dialects``).
    dialects: ClassVar[tuple[type[Dialect], ...]]
    #: Action kinds that trigger ``check_action``; empty: ``check_statement`` instead.
    acts: ClassVar[frozenset[Act]] = frozenset()
    #: One line for docs/rules.md and ``dbshift lint --list``.
    summary: ClassVar[str]
    #: Equivalent rule ids of peer tools, for the coverage table in docs/rules.md.
    squawk: ClassVar[tuple[str, ...]] = ()
    strong_migrations: ClassVar[tuple[str, ...]] = ()
    atlas: ClassVar[tuple[str, ...]] = ()
    eugene: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def check_dialects(cls) -> None:
        """Fail loudly (``UnknownDialect``) unless every entry of ``dialects`` is the
        Dialect class of a server ``dbshift.dialects.named`` knows."""
        if not cls.dialects:
            raise UnknownDialect(f"lint rule {cls.id} names no dialect")
        for entry in cls.dialects:
            server = getattr(entry, "name", None)
            known = (
                isinstance(entry, type)
                and issubclass(entry, Dialect)
                and isinstance(server, str)
                and server in NAMES
                and isinstance(named(server), entry)
            )
            if not known:
                raise UnknownDialect(
                    f"lint rule {cls.id}: {entry!r} is not a dialect; "
                    f"expected Dialect classes of {', '.join(NAMES)}"
                )

    @classmethod
    def judges(cls, dialect: Dialect) -> bool:
        """Whether the rule speaks for the server ``dialect`` is."""
        return isinstance(dialect, cls.dialects)

    @classmethod
    def dialect_names(cls) -> list[str]:
        """The servers' names, sorted, for ``lint --list`` and docs/rules.md."""
        return sorted(d.name for d in cls.dialects)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        return iter(())

    def check_statement(self, stmt: Stmt, ctx: FileContext) -> Iterator[Finding]:
        return iter(())

    def finish(self, ctx: FileContext) -> Iterator[Finding]:
        return iter(())

    def found(self, stmt: Stmt, message: str, *, why: str, fix: str) -> Finding:
        return Finding(self.id, self.severity, stmt.path, stmt.line, message, why, fix)


def q(name: str | None) -> str:
    """A name as lint messages show it."""
    return f'"{name}"' if name else "?"
