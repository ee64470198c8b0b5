"""What an online operation is: data, read alike by every server's engine.

An operation writes no SQL (each engine does: ``postgres_ops.py``, ``mysql/plan.py``,
``sqlite.py``). It describes, for its table:
- how the table looks to the new version (``reshape``: the new version's column names
  mapped to physical columns) and the hidden columns it adds (``hidden_columns``);
- up assignments (new physical column <- expression over the old version's columns),
  run by the backfill and by the trigger when the old version writes;
- down assignments (old physical column <- expression over the new version's columns),
  run by the trigger when the new version writes;
- the pairs of values complete verifies row by row (``verify_pairs``).
"""

from __future__ import annotations

import hashlib
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, Protocol

from dbshift.dialects import named
from dbshift.errors import OnlineOperationError

#: The server these operations write SQL for (MySQL and SQLite plan from their fields).
_PG = named("postgresql")


def name_list(raw: dict[str, Any], key: str, what: str = "column names") -> tuple[str, ...]:
    """``raw[key]`` as a non-empty tuple of names, or a clear error."""
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise OnlineOperationError(f"{key} must be a non-empty list of {what}")
    return tuple(value)


def pg_quote(name: str) -> str:
    """A column named in an up/down expression written for PostgreSQL."""
    return _PG.quote(name)


def hidden_name(prefix: str, column: str) -> str:
    """The physical name of a column the new version sees under ``column``."""
    name = f"_dbshift_{prefix}_{column}"
    # Not fit_name: a prefix of the column's name could collide with another's.
    if _PG.identifier_fits(name):
        return name
    digest = hashlib.sha256(column.encode()).hexdigest()[:12]
    return f"_dbshift_{prefix}_{digest}"


class Names(Protocol):
    """How an operation spells names in SQL: always quoted, tables schema-qualified."""

    #: The new version's schema (where its session's search path starts).
    version: str

    def q(self, name: str) -> str: ...

    def literal(self, text: str) -> str: ...

    def table(self, name: str) -> str: ...


#: Keys holding SQL expressions (evaluated by the server, not TOML values).
_EXPRESSIONS = frozenset({"default", "up", "down", "check", "where"})


def _example(value: object) -> str:
    """How ``value`` is written as an SQL expression in TOML (``0`` -> ``"0"``)."""
    if isinstance(value, bool):
        return '"true"' if value else '"false"'
    if isinstance(value, int | float):
        return f'"{value}"'
    return "\"'text'\" (a quoted SQL literal)"


@dataclass(frozen=True)
class Assignment:
    """``column := (expression)`` where the expression names columns of one version."""

    column: str
    expression: str


@dataclass(frozen=True)
class AddedColumn:
    """A physical column added at start, under a hidden name."""

    name: str
    data_type: str
    default: str | None = None
    #: NOT NULL enforced by a CHECK ... NOT VALID at start, validated and turned into a
    #: real NOT NULL at complete (no full-table scan under an exclusive lock).
    not_null: bool = False


@dataclass(frozen=True)
class OnlineOperation:
    """Base of every online operation (frozen dataclasses built from the TOML table)."""

    type: ClassVar[str]
    table: str

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> OnlineOperation:
        names = {f.name for f in fields(cls)}
        unknown = set(raw) - names
        if unknown:
            raise OnlineOperationError(
                f"unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(names))})"
            )
        for f in fields(cls):
            value = raw.get(f.name)
            if value is not None and f.type in ("str", "str | None") and not isinstance(value, str):
                if f.name in _EXPRESSIONS:
                    raise OnlineOperationError(
                        f"{f.name} must be a string holding an SQL expression, e.g. "
                        f"{f.name} = {_example(value)}"
                    )
                raise OnlineOperationError(f"{f.name} must be a string")
            if (
                value is not None
                and f.type in ("bool", "bool | None")
                and not isinstance(value, bool)
            ):
                raise OnlineOperationError(f"{f.name} must be true or false")
        try:
            op = cls(**raw)
        except TypeError:
            missing = [
                f.name
                for f in fields(cls)
                if f.name not in raw and f.default is MISSING and f.default_factory is MISSING
            ]
            raise OnlineOperationError(
                f"missing {', '.join(missing) or 'a required key'}"
            ) from None
        op.validate()
        return op

    def validate(self) -> None:
        if not self.table:
            raise OnlineOperationError("table must not be empty")

    # --- start ---------------------------------------------------------------------
    def resolve(self, types: dict[str, str]) -> OnlineOperation:
        """This operation completed from the catalog (``types``: the table's columns and
        their types, empty where the table does not exist yet)."""
        return self

    @property
    def copy_job(self) -> str:
        """The backfill checkpoint's name for a copy into another table (split_table)."""
        return f"{self.table}:{self.type}"

    def hidden_columns(self) -> list[str]:
        """Names of the physical columns start adds (rollback drops them)."""
        return []

    def reshape(self, columns: dict[str, str]) -> dict[str, str]:
        """New-version columns (visible name -> physical column), given the old ones."""
        return columns

    def up_assignments(self) -> list[Assignment]:
        return []

    def down_assignments(self) -> list[Assignment]:
        return []

    # --- complete / rollback --------------------------------------------------------
    @property
    def view_name(self) -> str:
        """The name the new version sees this table under."""
        return self.table

    def verify_pairs(self) -> list[tuple[str, str, str, str]]:
        """(old column, up over old, new column, down over new) pairs whose values must
        agree row by row before the old column may be dropped."""
        return []


@dataclass(frozen=True)
class HiddenColumnChange(OnlineOperation):
    """Shared by the operations that add a hidden column the new version sees under
    ``column``: NOT NULL is a CHECK ... NOT VALID during the change, validated without
    blocking writes before complete, then a real NOT NULL (PostgreSQL >= 12 proves it from
    the validated check instead of scanning) and the hidden column takes its name."""

    column: str
    #: The hidden column's type; None (alter_column, add_check) keeps the column's own.
    data_type: str | None = None
    #: An SQL expression; None keeps the column's own default (alter_column) or sets none.
    default: str | None = None
    #: None keeps the column's own nullability (alter_column) or allows NULL (add_column).
    not_null: bool | None = None

    @property
    def hidden(self) -> str:
        return hidden_name("new", self.column)

    @property
    def check_name(self) -> str:
        return hidden_name("nn", self.column)

    @property
    def required(self) -> bool:
        return bool(self.not_null)

    def hidden_columns(self) -> list[str]:
        return [self.hidden]

    def resolve(self, types: dict[str, str]) -> HiddenColumnChange:
        """This operation with ``data_type`` defaulted to the column's current type."""
        from dataclasses import replace

        if self.data_type or self.column not in types:
            return self
        return replace(self, data_type=types[self.column])
