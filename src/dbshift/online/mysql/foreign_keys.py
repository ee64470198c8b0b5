"""Foreign keys into and out of a table the MySQL engine copies (a shadow swapped in by
``RENAME TABLE``).

What the others do, and why this differs:
- pt-online-schema-change's ``--alter-foreign-keys-method``: ``rebuild_constraints``
  rebuilds every child table after the swap (a blocking copy of each child),
  ``drop_swap`` drops the original table with ``FOREIGN_KEY_CHECKS=0`` and renames the new
  one (a moment where the table does not exist), ``none`` leaves the children pointing at
  the dropped table.
- gh-ost refuses tables with foreign keys in or out.

InnoDB moves a child's foreign key with its parent when the parent is renamed, and with
``foreign_key_checks=0`` adds or drops a foreign key without copying the child (metadata
only, ``ALGORITHM=INPLACE, LOCK=NONE``). So:
- **out** (the table references a parent): the shadow gets the same keys when it is built
  (``CREATE TABLE … LIKE`` copies none), so every write, the copy's and the triggers', is
  checked against the parent as the old table's are, and cascades from the parent reach
  both copies. Just before the swap the old table's keys are dropped (constraint names are
  unique per database, and the shadow's move into it), then the swap carries the shadow's.
- **in** (children reference the table): just before the swap each child's key is
  re-pointed at the shadow (which holds every row: the copy is done and verified, and the
  triggers keep both tables in step inside each write's transaction), under a temporary
  name, in one ``ALTER`` that adds it and drops the original, so the child is never without
  a key. The swap carries it to the table's name; right after, the original name comes
  back (one ``ALTER`` again) and the index InnoDB renamed on the way gets its name back.
  Orphans are counted before and after. Rollback re-points any child still at the shadow
  back to the original table and re-adds any key complete dropped from it, before the
  version database goes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbshift.dialects.mysql import online_catalog as catalog
from dbshift.errors import MigrationFailed, UsageError
from dbshift.online import shape
from dbshift.online.mysql import ddl
from dbshift.online.mysql import sql as my

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.online.locks import LockPolicy
    from dbshift.online.mysql.plan import TablePlan

#: The catalog key (beside the columns and key of a table) that start journals.
KEYS = "foreign_keys"


@dataclass(frozen=True)
class ForeignKey:
    """One foreign key as the catalog gave it at start."""

    schema: str
    table: str
    name: str
    columns: tuple[str, ...]
    parent_schema: str
    parent: str
    parent_columns: tuple[str, ...]
    on_update: str
    on_delete: str

    def as_list(self) -> list[Any]:
        return [
            self.schema,
            self.table,
            self.name,
            list(self.columns),
            self.parent_schema,
            self.parent,
            list(self.parent_columns),
            self.on_update,
            self.on_delete,
        ]

    @classmethod
    def from_list(cls, raw: Sequence[Any]) -> ForeignKey:
        s, t, n, cols, ps, p, pcols, upd, dele = raw
        return cls(s, t, n, tuple(cols), ps, p, tuple(pcols), upd, dele)

    @property
    def temporary(self) -> str:
        """The name the child's key has while it points at the shadow."""
        return my.short(f"_dbshift_fk_{self.name}")

    def clause(self, name: str, parent: str, parent_columns: Sequence[str]) -> str:
        cols = ", ".join(my.q(c) for c in self.columns)
        refs = ", ".join(my.q(c) for c in parent_columns)
        # RESTRICT is the default and is left out: MariaDB 10.11's ALTER TABLE records an
        # explicit ON DELETE RESTRICT written before ON UPDATE CASCADE as NO ACTION
        # (measured), and the catalog must come out as it went in.
        rules = "".join(
            f" ON {event} {rule}"
            for event, rule in (("DELETE", self.on_delete), ("UPDATE", self.on_update))
            if rule.upper() != "RESTRICT"
        )
        return (
            f"ADD CONSTRAINT {my.q(name)} FOREIGN KEY ({cols}) REFERENCES {parent} ({refs}){rules}"
        )


def read(conn: Connection, schema: str, table: str) -> dict[str, Any]:
    """The keys out of and into ``table``, and the indexes of the table and of each child
    (InnoDB renames a generated index when a key is re-added: start's names put back)."""
    grouped: dict[tuple[str, str, str], list[Any]] = {}
    for s, t, n, ps, p, upd, dele, col, ref in catalog.foreign_key_rows(conn, schema, table):
        if (s, t, n) not in grouped:
            grouped[(s, t, n)] = [s, t, n, [], ps, p, [], upd, dele]
        grouped[(s, t, n)][3].append(col)
        grouped[(s, t, n)][6].append(ref)
    keys = [ForeignKey.from_list(v) for v in grouped.values()]
    out = [k.as_list() for k in keys if k.schema == schema and k.table == table]
    into = [k.as_list() for k in keys if k.parent_schema == schema and k.parent == table]
    indexes = {
        f"{k.schema}.{k.table}": indexes_of(conn, k.schema, k.table)
        for k in keys
        if k.parent_schema == schema and k.parent == table
    }
    indexes[f"{schema}.{table}"] = indexes_of(conn, schema, table)
    return {"out": out, "in": into, "indexes": indexes}


def indexes_of(conn: Connection, schema: str, table: str) -> dict[str, list[str]]:
    return catalog.index_columns(conn, schema, table)


def outgoing(info: dict[str, Any]) -> list[ForeignKey]:
    return [ForeignKey.from_list(k) for k in info.get(KEYS, {}).get("out", [])]


def incoming(info: dict[str, Any]) -> list[ForeignKey]:
    return [ForeignKey.from_list(k) for k in info.get(KEYS, {}).get("in", [])]


def check(plan: TablePlan, info: dict[str, Any], where: str, shadowed: set[str]) -> None:
    """Refuse, before anything changes, what this scheme cannot keep: a key of the table to
    itself, a child that is copied in the same migration, and a key column the migration
    drops or retypes (a renamed one is followed)."""
    retyped = set()
    for op in plan.ops:
        column = shape.changed_column(op) or ""
        wanted = shape.data_type(op)
        current = plan.columns.get(column)
        if wanted and current is not None and str(wanted).lower() != current.type.lower():
            retyped.add(column)
    for fk in [*outgoing(info), *incoming(info)]:
        label = f"{where}: foreign key {fk.name!r} ({fk.table} -> {fk.parent})"
        if fk.schema == fk.parent_schema and fk.table == fk.parent:
            raise UsageError(
                f"{label} refers to its own table; changes that copy the table cannot "
                "keep it yet: drop it first, or use a regular migration"
            )
        if fk.parent == plan.table and fk.table in shadowed and fk.table != plan.table:
            raise UsageError(f"{label}: both tables are copied by this migration; split it in two")
        mine = fk.columns if fk.table == plan.table else fk.parent_columns
        for column in mine:
            try:
                _renamed(plan, column)
            except UsageError:
                raise UsageError(f"{label}: column {column!r} is in the key") from None
            if column in retyped:
                raise UsageError(
                    f"{label}: column {column!r} is in the key and would change type; "
                    "the key's columns must keep their types"
                )


def _with_checks_off(conn: Connection, run: Callable[[], object]) -> None:
    """MySQL adds a foreign key without copying the table only with foreign_key_checks
    off, which also skips checking the rows: callers count orphans before and after."""
    conn.exec_driver_sql("SET SESSION foreign_key_checks = 0")
    try:
        run()
    finally:
        conn.exec_driver_sql("SET SESSION foreign_key_checks = 1")


def _alter(conn: Connection, table: str, clauses: list[str], policy: LockPolicy, what: str) -> None:
    sql = f"ALTER TABLE {table} {', '.join(clauses)}, ALGORITHM=INPLACE, LOCK=NONE"
    _with_checks_off(conn, lambda: ddl.run(conn, sql, policy=policy, what=what))


def points_at(conn: Connection, schema: str, table: str, name: str) -> tuple[str, str] | None:
    return catalog.points_at(conn, schema, table, name)


def _parent_columns(plan: TablePlan, fk: ForeignKey) -> list[str]:
    """The referenced columns as the shadow (the final table) names them."""
    return [_renamed(plan, c) for c in fk.parent_columns]


def add_to_shadow(
    conn: Connection,
    plan: TablePlan,
    info: dict[str, Any],
    build: tuple[str, str],
    policy: LockPolicy,
    what: str,
) -> None:
    """The table's keys out, on the shadow being built (empty: nothing to check), under
    the same names and the shadow's column names; then the index names start saw."""
    keys = outgoing(info)
    if not keys:
        return
    clauses = []
    for fk in keys:
        shadow_fk = ForeignKey(
            fk.schema,
            fk.table,
            fk.name,
            tuple(_renamed(plan, c) for c in fk.columns),
            fk.parent_schema,
            fk.parent,
            fk.parent_columns,
            fk.on_update,
            fk.on_delete,
        )
        parent = my.MY.qualify(fk.parent_schema, fk.parent)
        clauses.append(shadow_fk.clause(fk.name, parent, fk.parent_columns))
    schema, table = build
    _alter(conn, my.MY.qualify(schema, table), clauses, policy, what)
    base = keys[0].schema
    original = {
        n: [_new_name(plan, c) for c in cols]
        for n, cols in info[KEYS]["indexes"].get(f"{base}.{plan.table}", {}).items()
    }
    restore_index_names(conn, schema, table, original, [k.name for k in keys], policy, what)


def before_swap(
    conn: Connection,
    plan: TablePlan,
    info: dict[str, Any],
    names: my.MyNames,
    policy: LockPolicy,
    what: str,
) -> None:
    """Children re-pointed at the shadow (under a temporary name), the old table's own
    keys dropped: what lets one ``RENAME TABLE`` carry every key to the final table. Each
    step looks at the catalog first, so a killed complete is run again."""
    shadow = names.in_version(plan.view)
    for fk in incoming(info):
        if points_at(conn, fk.schema, fk.table, fk.name) is None:
            continue  # re-pointed by an earlier run
        refs = _parent_columns(plan, fk)
        _no_orphans(conn, fk, shadow, refs, what)
        child = my.MY.qualify(fk.schema, fk.table)
        clauses = [fk.clause(fk.temporary, shadow, refs), f"DROP FOREIGN KEY {my.q(fk.name)}"]
        _alter(conn, child, clauses, policy, what)
    table = names.table(plan.table)
    for fk in outgoing(info):
        sql = f"ALTER TABLE {table} DROP FOREIGN KEY {my.q(fk.name)}"
        ddl.run(conn, sql, policy=policy, what=what, ignore=frozenset({1091}))


def after_swap(
    conn: Connection,
    plan: TablePlan,
    info: dict[str, Any],
    names: my.MyNames,
    policy: LockPolicy,
    what: str,
) -> None:
    """Each child's key, carried to the final table by the swap, gets its own name back
    (and its index, which InnoDB renamed, too); orphans counted once more."""
    final = names.table(plan.view)
    for fk in incoming(info):
        _rename_back(conn, fk, final, _parent_columns(plan, fk), info, policy, what)
        _no_orphans(conn, fk, final, _parent_columns(plan, fk), what)


def _rename_back(
    conn: Connection,
    fk: ForeignKey,
    parent: str,
    refs: Sequence[str],
    info: dict[str, Any],
    policy: LockPolicy,
    what: str,
) -> None:
    if points_at(conn, fk.schema, fk.table, fk.temporary) is None:
        return
    child = my.MY.qualify(fk.schema, fk.table)
    clauses = [fk.clause(fk.name, parent, refs), f"DROP FOREIGN KEY {my.q(fk.temporary)}"]
    _alter(conn, child, clauses, policy, what)
    original = info[KEYS]["indexes"].get(f"{fk.schema}.{fk.table}", {})
    added = [fk.name, fk.temporary]
    restore_index_names(conn, fk.schema, fk.table, original, added, policy, what)


def restore(
    conn: Connection,
    plan: TablePlan,
    info: dict[str, Any],
    names: my.MyNames,
    policy: LockPolicy,
    what: str,
) -> None:
    """Rollback: children still pointing at the shadow point at the original table again,
    and keys complete dropped from it are added back (orphans counted first); before the
    version database is dropped."""
    table = names.table(plan.table)
    for fk in incoming(info):
        _rename_back(conn, fk, table, fk.parent_columns, info, policy, what)
    dropped = [fk for fk in outgoing(info) if points_at(conn, fk.schema, fk.table, fk.name) is None]
    for fk in dropped:
        parent = my.MY.qualify(fk.parent_schema, fk.parent)
        _no_orphans(conn, fk, parent, fk.parent_columns, what)
        _alter(conn, table, [fk.clause(fk.name, parent, fk.parent_columns)], policy, what)
    if dropped:
        original = info[KEYS]["indexes"].get(f"{names.schema}.{plan.table}", {})
        added = [fk.name for fk in dropped]
        restore_index_names(conn, names.schema, plan.table, original, added, policy, what)


def _renamed(plan: TablePlan, column: str) -> str:
    """The new version's name of an old column (``state.renamed``, which imports this)."""
    for name, source in plan.new.items():
        if source == column:
            return name
    raise UsageError(f"{plan.table!r}: column {column!r} is dropped")


def _new_name(plan: TablePlan, column: str) -> str:
    try:
        return _renamed(plan, column)
    except UsageError:
        return column


def restore_index_names(
    conn: Connection,
    schema: str,
    table: str,
    original: dict[str, list[str]],
    added: Sequence[str],
    policy: LockPolicy,
    what: str,
) -> None:
    """MariaDB renames an index it generated for a foreign key after the key re-added over
    it; each such index (named like one of ``added``, not an index ``original`` had) gets
    back the name of the original index on the same columns that is now missing."""
    now = indexes_of(conn, schema, table)
    folded = {n.casefold() for n in original}
    for name in added:
        if name not in now or name.casefold() in folded:
            continue
        lost = [n for n, cols in original.items() if cols == now[name] and n not in now]
        if lost:
            ddl.run(
                conn,
                f"ALTER TABLE {my.MY.qualify(schema, table)} RENAME INDEX {my.q(name)} "
                f"TO {my.q(lost[0])}, ALGORITHM=INPLACE, LOCK=NONE",
                policy=policy,
                what=what,
            )
            now[lost[0]] = now.pop(name)


def orphans(conn: Connection, fk: ForeignKey, parent: str, parent_columns: Sequence[str]) -> int:
    """Rows of the child whose key has no row in ``parent``."""
    present = " AND ".join(f"c.{my.q(c)} IS NOT NULL" for c in fk.columns)
    match = " AND ".join(
        f"p.{my.q(r)} = c.{my.q(c)}" for c, r in zip(fk.columns, parent_columns, strict=True)
    )
    sql = (
        f"SELECT count(*) FROM {my.MY.qualify(fk.schema, fk.table)} AS c WHERE {present} "
        f"AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {match})"
    )
    return int(conn.execution_options(no_parameters=True).exec_driver_sql(sql).scalar() or 0)


def _no_orphans(
    conn: Connection, fk: ForeignKey, parent: str, parent_columns: Sequence[str], what: str
) -> None:
    bad = orphans(conn, fk, parent, parent_columns)
    if bad:
        raise MigrationFailed(
            f"{what}: {bad} rows of {fk.table} have no match in {parent} for foreign key "
            f"{fk.name!r}; fix them, then run the command again (or roll back)"
        )
