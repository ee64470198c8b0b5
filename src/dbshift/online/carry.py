"""What an altered column takes with it on PostgreSQL: its indexes, unique, check and
foreign-key constraints, default, comment and owned sequence.

``alter_column`` (and ``add_check``) add a hidden column and, at complete, drop the old
one. Dropping a column silently drops every index and constraint on it, so everything
that serves the old column is rebuilt on the hidden one during start, under a temporary
``_dbshift_`` name: indexes ``CREATE INDEX CONCURRENTLY`` (so new-version lookups are
indexed and uniqueness is enforced for new writes), checks and foreign keys ``NOT VALID``
(validated before the contract, without blocking writes). Complete gives them back the
original names (a unique constraint re-attached with ``ADD CONSTRAINT … USING INDEX``).

Definitions are read from the catalog (``dialects/postgres/online_catalog.py``:
``pg_get_indexdef``, ``pg_get_constraintdef``) and rewritten onto the hidden column with
PostgreSQL's own parser (pglast), never by text substitution. What cannot be carried is refused at start, before anything changes: a
primary key or exclusion constraint on the column, foreign keys of other tables pointing
at it, views, rules, triggers, policies or statistics depending on it, an identity or
generated column. Every one of these would otherwise be dropped (or block complete).

The plan is computed once at start and kept in the journal, so complete and rollback
act on what start built, never on what the catalog happens to hold later.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dbshift.dialects.postgres import online_catalog as catalog
from dbshift.errors import OnlineOperationError
from dbshift.online.postgres import literal, quote
from dbshift.online.shape import renamer

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: Journal key (in the entry's ``backfill`` map) holding what start planned and created.
JOURNAL_KEY = "_dbshift_pg"


def temp_name(migration: str, kind: str, name: str) -> str:
    digest = hashlib.sha256(f"{migration}\0{kind}\0{name}".encode()).hexdigest()[:20]
    return f"_dbshift_{kind}_{digest}"


@dataclass
class Carried:
    """One object moved from the old column onto the hidden one."""

    #: "index", "unique" (an index backing a UNIQUE constraint), "check" or "foreign_key".
    kind: str
    name: str
    temp: str
    #: CREATE INDEX CONCURRENTLY (index, unique) or ALTER TABLE ADD CONSTRAINT … NOT VALID.
    sql: str
    #: Whether the original constraint was validated (a NOT VALID one stays NOT VALID).
    validated: bool = True
    #: DEFERRABLE … clause of a unique constraint.
    deferrable: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Plan:
    """Everything that follows one altered column."""

    table: str
    column: str
    hidden: str
    carried: list[Carried] = field(default_factory=list)
    comment: str | None = None
    #: An owned sequence (serial) whose ownership moves to the hidden column at complete.
    sequence: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "column": self.column,
            "hidden": self.hidden,
            "carried": [c.as_dict() for c in self.carried],
            "comment": self.comment,
            "sequence": self.sequence,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Plan:
        return cls(
            table=raw["table"],
            column=raw["column"],
            hidden=raw["hidden"],
            carried=[Carried(**c) for c in raw.get("carried", [])],
            comment=raw.get("comment"),
            sequence=raw.get("sequence"),
        )

    # --- SQL of each phase ------------------------------------------------------------
    def start_sql(self, qualified: str) -> list[str]:
        """In the expand transaction, after the hidden column exists."""
        out = [c.sql for c in self.carried if c.kind in ("check", "foreign_key")]
        if self.comment is not None:
            out.append(
                f"COMMENT ON COLUMN {qualified}.{quote(self.hidden)} IS {literal(self.comment)}"
            )
        return out

    def concurrent_start(self) -> list[tuple[str, str]]:
        """(temporary index name, CREATE INDEX CONCURRENTLY) pairs."""
        return [(c.temp, c.sql) for c in self.carried if c.kind in ("index", "unique")]

    def validate_sql(self, qualified: str) -> list[str]:
        return [
            f"ALTER TABLE {qualified} VALIDATE CONSTRAINT {quote(c.temp)}"
            for c in self.carried
            if c.kind in ("check", "foreign_key") and c.validated
        ]

    def before_drop(self, qualified: str) -> list[str]:
        """In the contract transaction, before the old column is dropped (a serial's
        sequence would go with it)."""
        if self.sequence is None:
            return []
        return [f"ALTER SEQUENCE {self.sequence} OWNED BY {qualified}.{quote(self.hidden)}"]

    def after_swap(self, qualified: str, schema: str) -> list[str]:
        """In the contract transaction, once the old column (and with it the old indexes
        and constraints) is gone: the copies take the original names."""
        out = []
        for c in self.carried:
            if c.kind == "unique":
                out.append(
                    f"ALTER TABLE {qualified} ADD CONSTRAINT {quote(c.name)} "
                    f"UNIQUE USING INDEX {quote(c.temp)}{c.deferrable}"
                )
            elif c.kind == "index":
                out.append(f"ALTER INDEX {quote(schema)}.{quote(c.temp)} RENAME TO {quote(c.name)}")
            else:
                out.append(
                    f"ALTER TABLE {qualified} RENAME CONSTRAINT {quote(c.temp)} TO {quote(c.name)}"
                )
        return out

    def created_indexes(self) -> list[str]:
        return [c.temp for c in self.carried if c.kind in ("index", "unique")]


class Refused(OnlineOperationError):
    """The column has something attached that cannot be carried to the hidden column."""


def plan(
    conn: Connection,
    *,
    schema: str,
    table: str,
    column: str,
    hidden: str,
    migration: str,
    ignored_schemas: list[str],
) -> Plan:
    """What must follow ``column`` onto ``hidden``; Refused if something cannot."""
    qualified = f"{quote(schema)}.{quote(table)}"
    found = catalog.attribute(conn, qualified, column)
    if found is None:
        raise Refused(f"column {column!r} does not exist in {table!r}")
    where = f"column {table}.{column}"
    if found.identity:
        raise Refused(f"{where} is an identity column: it cannot be copied online")
    if found.generated:
        raise Refused(f"{where} is a generated column: change its expression offline")
    attnum = found.attnum
    referenced = catalog.referencing(conn, qualified, attnum)
    if referenced:
        name, other = referenced[0]
        raise Refused(
            f"{where} is referenced by foreign key {name} of {other}: complete would have "
            "to drop it; drop the key first (and add it back with add_foreign_key after)"
        )
    dependents = catalog.dependents(conn, qualified, attnum, ignored=ignored_schemas)
    if dependents:
        raise Refused(
            f"{where} is used by {dependents[0]}: complete would have to drop it; "
            "drop it first and recreate it after complete"
        )
    out = Plan(
        table=table, column=column, hidden=hidden, comment=found.comment, sequence=found.sequence
    )
    for index in catalog.column_indexes(conn, qualified, attnum):
        if index.primary or index.contype == "p":
            raise Refused(f"{where} is in the primary key: it cannot be swapped online")
        if index.exclusion or index.contype == "x":
            raise Refused(
                f"{where} is in exclusion constraint {index.constraint}: not carried online"
            )
        temp = temp_name(migration, "i", index.name)
        kind = "unique" if index.contype == "u" else "index"
        clause = ""
        if index.deferrable:
            clause = " DEFERRABLE INITIALLY " + ("DEFERRED" if index.deferred else "IMMEDIATE")
        out.carried.append(
            Carried(
                kind=kind,
                name=str(index.constraint if kind == "unique" else index.name),
                temp=temp,
                sql=_index_on(index.definition, column, hidden, temp),
                deferrable=clause,
            )
        )
    for constraint in catalog.column_constraints(conn, qualified, attnum):
        temp = temp_name(migration, "c", constraint.name)
        out.carried.append(
            Carried(
                kind="check" if constraint.contype == "c" else "foreign_key",
                name=str(constraint.name),
                temp=temp,
                sql=_constraint_on(qualified, constraint.definition, column, hidden, temp),
                validated=bool(constraint.validated),
            )
        )
    return out


def _index_on(definition: str, column: str, hidden: str, temp: str) -> str:
    """``definition`` (pg_get_indexdef) as a concurrent build of the same index on
    ``hidden``, named ``temp``."""
    import pglast
    from pglast.stream import RawStream

    (raw,) = pglast.parse_sql(definition)
    stmt: Any = raw.stmt
    renamer(column, hidden)(stmt)
    stmt.idxname = temp
    stmt.concurrent = True
    stmt.if_not_exists = True
    return str(RawStream()(stmt))


def _constraint_on(qualified: str, definition: str, column: str, hidden: str, temp: str) -> str:
    """``definition`` (pg_get_constraintdef) added on ``hidden`` as ``temp``, NOT VALID."""
    import pglast
    from pglast import ast
    from pglast.stream import RawStream

    (raw,) = pglast.parse_sql(f"ALTER TABLE {qualified} ADD CONSTRAINT {quote(temp)} {definition}")
    stmt: Any = raw.stmt
    constraint: Any = stmt.cmds[0].def_
    renamer(column, hidden)(stmt)
    if constraint.fk_attrs:
        constraint.fk_attrs = tuple(
            ast.String(sval=hidden) if a.sval == column else a for a in constraint.fk_attrs
        )
    constraint.skip_validation = True
    constraint.initially_valid = False
    return str(RawStream()(stmt))
