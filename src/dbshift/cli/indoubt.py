"""The catalog probe: did an interrupted run's last statement take effect?

The linter's parser already knows what a statement creates, alters or drops (its
``Action`` facts); the live catalog says whether that is there now. Every effect present:
done. None present: not done. Mixed, or an effect the catalog cannot show (a type change,
a default, a routine): unknown, and the operator decides with ``repair``. Only structure
is probed; data statements never need it (they commit with their journal row).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dbshift.lint.facts import Act, Action
from dbshift.runner.indoubt import Decision, Probe, Verdict

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.engine.reflection import Inspector

    from dbshift.dialects import Dialect


def catalog_probe(dialect: Dialect) -> Probe:
    def probe(conn: Connection, sql: str) -> Decision:
        return decide(conn, sql, dialect)

    return probe


def decide(conn: Connection, sql: str, dialect: Dialect) -> Decision:
    import sqlalchemy as sa

    from dbshift.lint.parse import ParseFailed, actions_for

    try:
        actions = actions_for(sql, dialect)[0]
    except ParseFailed as exc:
        return Decision(Verdict.UNKNOWN, f"the statement cannot be parsed: {exc}")
    created = {a.table for a in actions if a.act is Act.CREATE_TABLE}
    # A CREATE TABLE's columns come as ADD_COLUMN facts: the table answers for them.
    relevant = [a for a in actions if not (a.act is Act.ADD_COLUMN and a.table in created)]
    if not relevant:
        return Decision(Verdict.UNKNOWN, "it has no effect on the catalog to check")
    catalog = _Catalog(sa.inspect(conn))
    found: list[tuple[bool, str]] = []
    for action in relevant:
        if (
            dialect.interrupted_index_builds_leave_invalid_index
            and action.act is Act.CREATE_INDEX
            and action.name
        ):
            invalid = _invalid_pg_index(conn, action.name)
            if invalid:
                return Decision(
                    Verdict.UNKNOWN,
                    f"index {action.name} exists but is INVALID (an interrupted CREATE INDEX "
                    "CONCURRENTLY leaves one behind): drop it, then retry the statement",
                )
        check = _CHECKS.get(action.act)
        answer = check(catalog, action) if check is not None else None
        if answer is None:
            return Decision(
                Verdict.UNKNOWN,
                f"the catalog does not show whether its {action.act.value.replace('_', ' ')} happened",
            )
        found.append(answer)
    if all(present for present, _ in found):
        return Decision(Verdict.DONE, "; ".join(why for _, why in found))
    if not any(present for present, _ in found):
        return Decision(Verdict.NOT_DONE, "; ".join(why for _, why in found))
    return Decision(Verdict.UNKNOWN, "only part of it shows: " + "; ".join(why for _, why in found))


def _invalid_pg_index(conn: Connection, name: str) -> bool:
    return bool(
        conn.exec_driver_sql(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE NOT i.indisvalid AND lower(c.relname) = lower(%s) "
            "AND pg_catalog.pg_table_is_visible(c.oid)",
            (name,),
        ).scalar()
    )


class _Catalog:
    """Case-insensitive lookups: the parser lower-cases names, MySQL may not."""

    def __init__(self, inspector: Inspector) -> None:
        self.inspector = inspector

    def tables(self) -> dict[str, str]:
        return {t.lower(): t for t in self.inspector.get_table_names()}

    def views(self) -> set[str]:
        return {v.lower() for v in self.inspector.get_view_names()}

    def has_table(self, name: str) -> bool:
        return name.lower() in self.tables()

    def columns(self, table: str) -> set[str] | None:
        real = self.tables().get(table.lower())
        if real is None:
            return None
        return {c["name"].lower() for c in self.inspector.get_columns(real)}

    def indexes(self, table: str | None) -> set[str] | None:
        tables = [self.tables().get(table.lower())] if table else list(self.tables().values())
        names: set[str] = set()
        for real in tables:
            if real is None:
                return None
            names |= {str(i["name"]).lower() for i in self.inspector.get_indexes(real)}
            names |= {
                str(u["name"]).lower()
                for u in self.inspector.get_unique_constraints(real)
                if u.get("name")
            }
        return names

    def constraints(self, table: str) -> set[str] | None:
        real = self.tables().get(table.lower())
        if real is None:
            return None
        inspector = self.inspector
        names = {str(f["name"]).lower() for f in inspector.get_foreign_keys(real) if f["name"]}
        names |= {
            str(u["name"]).lower() for u in inspector.get_unique_constraints(real) if u["name"]
        }
        names |= {str(c["name"]).lower() for c in inspector.get_check_constraints(real)}
        pk = inspector.get_pk_constraint(real).get("name")
        if pk:
            names.add(str(pk).lower())
        names |= {str(i["name"]).lower() for i in inspector.get_indexes(real)}
        return names


def _table(present: bool, name: str) -> tuple[bool, str]:
    return present, f"table {name} {'exists' if present else 'does not exist'}"


def _create_table(c: _Catalog, a: Action) -> tuple[bool, str] | None:
    return _table(c.has_table(a.table), a.table) if a.table else None


def _drop_table(c: _Catalog, a: Action) -> tuple[bool, str] | None:
    if not a.table:
        return None
    gone = not c.has_table(a.table)
    return gone, f"table {a.table} {'is gone' if gone else 'still exists'}"


def _rename_table(c: _Catalog, a: Action) -> tuple[bool, str] | None:
    if not a.table or not a.new_name:
        return None
    old, new = c.has_table(a.table), c.has_table(a.new_name)
    if new and not old:
        return True, f"table {a.new_name} exists and {a.table} does not"
    if old and not new:
        return False, f"table {a.table} exists and {a.new_name} does not"
    return None


def _column(add: bool) -> Callable[[_Catalog, Action], tuple[bool, str] | None]:
    def check(c: _Catalog, a: Action) -> tuple[bool, str] | None:
        name = (a.column.name if a.column else a.name) or ""
        columns = c.columns(a.table) if a.table else None
        if columns is None or not name:
            return None
        present = name.lower() in columns
        state = "exists" if present else "does not exist"
        return present == add, f"column {a.table}.{name} {state}"

    return check


def _rename_column(c: _Catalog, a: Action) -> tuple[bool, str] | None:
    columns = c.columns(a.table) if a.table else None
    if columns is None or not a.name or not a.new_name:
        return None
    old, new = a.name.lower() in columns, a.new_name.lower() in columns
    if new and not old:
        return True, f"column {a.table}.{a.new_name} exists and {a.name} does not"
    if old and not new:
        return False, f"column {a.table}.{a.name} exists and {a.new_name} does not"
    return None


def _index(create: bool) -> Callable[[_Catalog, Action], tuple[bool, str] | None]:
    def check(c: _Catalog, a: Action) -> tuple[bool, str] | None:
        if not a.name:
            return None  # an unnamed index gets a server-chosen name
        names = c.indexes(a.table)
        if names is None:
            return None
        present = a.name.lower() in names
        return present == create, f"index {a.name} {'exists' if present else 'does not exist'}"

    return check


def _constraint(add: bool) -> Callable[[_Catalog, Action], tuple[bool, str] | None]:
    def check(c: _Catalog, a: Action) -> tuple[bool, str] | None:
        if not a.name or not a.table:
            return None
        names = c.constraints(a.table)
        if names is None:
            return None
        present = a.name.lower() in names
        state = "exists" if present else "does not exist"
        return present == add, f"constraint {a.name} on {a.table} {state}"

    return check


def _create_view(c: _Catalog, a: Action) -> tuple[bool, str] | None:
    if not a.table:
        return None
    present = a.table.lower() in c.views()
    return present, f"view {a.table} {'exists' if present else 'does not exist'}"


_CHECKS: dict[Act, Callable[[_Catalog, Action], tuple[bool, str] | None]] = {
    Act.CREATE_TABLE: _create_table,
    Act.DROP_TABLE: _drop_table,
    Act.RENAME_TABLE: _rename_table,
    Act.ADD_COLUMN: _column(add=True),
    Act.DROP_COLUMN: _column(add=False),
    Act.RENAME_COLUMN: _rename_column,
    Act.CREATE_INDEX: _index(create=True),
    Act.DROP_INDEX: _index(create=False),
    Act.ADD_CONSTRAINT: _constraint(add=True),
    Act.DROP_CONSTRAINT: _constraint(add=False),
    Act.CREATE_VIEW: _create_view,
}
