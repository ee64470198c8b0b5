"""What every operation is: plain data that applies itself and reverses itself.

Neither rendering to SQL nor safety is here: each dialect's renderer maps operations to
statements (Alembic's ops-vs-impl split), and each dialect's safety table
(``Dialect.safety(op)``, ``dialects/<server>/safety.py``) says what an operation locks and
rewrites on that server, so this layer imports only the model. ``Lock`` and ``Safety``
are the words those tables answer in.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar

from dbshift.errors import Irreversible, PlanError
from dbshift.frozen import frozen

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


class Lock(IntEnum):
    """How much of the table's traffic the change blocks while it runs, weakest first."""

    NONE = 0
    #: Writes wait, reads go on (PostgreSQL SHARE, e.g. CREATE INDEX; MySQL LOCK=SHARED).
    WRITES = 1
    #: Reads and writes wait (PostgreSQL ACCESS EXCLUSIVE; MySQL metadata lock, table copy).
    ALL = 2


@frozen
class Safety:
    """What applying the operation costs and risks on one server."""

    lock: Lock = Lock.NONE
    #: The server rewrites (copies) every row: time and lock grow with the table.
    rewrite: bool = False
    #: The previous application version breaks once this runs (it uses what goes away).
    breaking: bool = False
    #: Data is lost and the reverse cannot bring it back.
    destructive: bool = False
    #: Why, in a few words, for lint messages and migration headers.
    note: str = ""

    def flags(self) -> list[str]:
        out = []
        if self.destructive:
            out.append("destructive")
        if self.breaking:
            out.append("breaking")
        if self.rewrite:
            out.append("rewrite")
        if self.lock is not Lock.NONE:
            out.append(f"lock={self.lock.name.lower()}")
        return out


@frozen
class Operation:
    """Base of every operation. Subclasses are frozen dataclasses."""

    #: Short stable name used in JSON output and lint rule targets.
    kind: ClassVar[str] = "operation"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """An operation without a docstring of its own is documented by its module's (one
        operation per file, the module says what it does). This also spares @dataclass
        building one from the signature (``inspect.signature``): 12 ms of every diff's
        imports, for the 60-odd operations."""
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("__doc__") is None:
            cls.__doc__ = sys.modules[cls.__module__].__doc__

    def apply(self, schema: Schema) -> Schema:
        """The schema after this operation (no database needed)."""
        raise NotImplementedError

    def reverse(self) -> Operation:
        """The operation that undoes this one (structure only: see ``Safety.destructive``)."""
        raise Irreversible(f"{self.describe()} cannot be reversed")

    def describe(self) -> str:
        raise NotImplementedError

    @property
    def table_key(self) -> tuple[str | None, str] | None:
        """The table this operation changes, when it changes one."""
        return None


def require_table(schema: Schema, key: tuple[str | None, str], what: str) -> Table:
    """The table ``key`` names, or a clear error: a plan that names a missing table is a bug
    in whoever built it, and failing here beats rendering SQL that fails on the server."""
    table = schema.table(key[1], key[0])
    if table is None:
        raise PlanError(f"{what}: table {qualified(key)} does not exist")
    return table


def qualified(key: tuple[str | None, str]) -> str:
    return f"{key[0]}.{key[1]}" if key[0] else key[1]


@frozen
class TableChange(Operation):
    """An operation inside one existing table, named by ``on`` = (schema, table)."""

    on: tuple[str | None, str]

    @property
    def table_key(self) -> tuple[str | None, str]:
        return self.on

    def _change(self, schema: Schema, change: Callable[[Table], Table]) -> Schema:
        return schema.with_table(change(require_table(schema, self.on, self.describe())))

    @property
    def where(self) -> str:
        return qualified(self.on)
