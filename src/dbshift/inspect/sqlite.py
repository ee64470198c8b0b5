"""SQLite: ``sqlite_schema`` joined with the table-valued pragmas, one query per kind.

``pragma_table_xinfo(name)`` and friends can be joined against ``sqlite_schema``, so each
kind of fact is one query whatever the number of tables. Names, CHECK and generated
expressions, collations and AUTOINCREMENT come from the stored CREATE text
(``sqlite_ddl``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from dbshift.errors import Unsupported
from dbshift.inspect.catalog import catalog_of
from dbshift.inspect.shared import pool
from dbshift.inspect.sqlite_ddl import (
    index_parts,
    module_of,
    parse_table,
    view_columns,
    view_query,
)
from dbshift.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexElement,
    PrimaryKey,
    ReferentialAction,
    Routine,
    Schema,
    Table,
    UniqueConstraint,
    View,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.direct import Connection as DriverConnection

_TABLES = (
    "SELECT name, sql, rootpage FROM sqlite_schema "
    "WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
)
#: The tables a virtual table's module keeps its data in (3.37+ marks them "shadow"
#: where the module is loaded and says so).
_SHADOWS = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'"
_VERSION = "SELECT sqlite_version()"
_MODULES = "SELECT name FROM pragma_module_list"
#: The shadow tables of the modules SQLite ships, by module and suffix: what an older
#: SQLite, or one without the module loaded, cannot mark.
_SHADOW_SUFFIXES = {
    "fts3": ("content", "segments", "segdir", "docsize", "stat"),
    "fts4": ("content", "segments", "segdir", "docsize", "stat"),
    "fts5": ("data", "idx", "content", "docsize", "config"),
    "rtree": ("node", "parent", "rowid"),
    "rtree_i32": ("node", "parent", "rowid"),
    "geopoly": ("node", "parent", "rowid"),
}
_COLUMNS = (
    'SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden '
    "FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p "
    "WHERE m.type = 'table' AND m.rootpage <> 0 ORDER BY m.name, p.cid"
)
_INDEXES = (
    'SELECT m.name, il.name, il."unique", il.origin, ix.seqno, ix.cid, ix.name, ix."desc", ix.coll '
    "FROM sqlite_schema m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ix "
    "WHERE m.type = 'table' AND m.rootpage <> 0 AND ix.key = 1 "
    "ORDER BY m.name, il.name, ix.seqno"
)
#: The indexes' CREATE texts by name: a query of their own, not a join in _INDEXES, which
#: searched sqlite_schema once per key part (a quarter of that query's time).
_INDEX_SQL = "SELECT name, sql FROM sqlite_schema WHERE type = 'index'"
_FOREIGN_KEYS = (
    'SELECT m.name, f.id, f."table", f."from", f."to", f.on_update, f.on_delete '
    "FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f "
    "WHERE m.type = 'table' AND m.rootpage <> 0 ORDER BY m.name, f.id, f.seq"
)
_OTHERS = "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE type IN ('view', 'trigger')"


def inspect_sqlite(
    conn: Connection | DriverConnection,
    *,
    exclude: Collection[str] = (),
    refuse_unsupported: bool = True,
) -> Schema:
    """The ``main`` database's tables, indexes, views and triggers; what their CREATE text
    says that the model cannot hold is refused by name (``refuse_unsupported``)."""
    rows = catalog_of(conn).rows  # the SQL verbatim: no parameters

    skip = set(exclude)
    listed = rows(_TABLES)
    # A virtual table (rootpage 0: no b-tree of its own) is kept as its CREATE VIRTUAL
    # TABLE text, and the tables its module made for it are its own, not the schema's.
    virtual = {name: sql or "" for name, sql, root in listed if not root and name not in skip}
    shadows = _shadow_tables(rows, virtual) if virtual else set()
    sql_of = {
        name: sql for name, sql, root in listed if root and name not in skip and name not in shadows
    }
    extras = {name: parse_table(sql or "") for name, sql in sql_of.items()}
    if refuse_unsupported:
        found = {name: e.unsupported for name, e in extras.items() if e.unsupported}
        for name in _unknown_modules(rows, virtual, sql_of):
            found.setdefault(name, []).append(
                (f"virtual tables of a module not loaded here ({module_of(virtual[name])})", "")
            )
        _refuse(found)

    columns: dict[str, list[Column]] = defaultdict(list)
    pk_columns: dict[str, list[tuple[int, str]]] = defaultdict(list)
    # Columns are frozen and schemas repeat themselves (``id INTEGER`` in every table): one
    # Column serves every row with the same facts, as in the PostgreSQL inspector. Building
    # a frozen dataclass per row was a third of the time left after the queries and the
    # CREATE TABLE parsing, 1,000 tables.
    built: dict[tuple[Any, ...], Column] = pool("sqlite.column")  # see inspect.shared
    for table, name, kind, notnull, default, pk, hidden in rows(_COLUMNS):
        if table not in sql_of:
            continue
        extra = extras[table].columns.get(name)
        if extra is None:
            facts: tuple[Any, ...] = (name, kind, notnull, default, None, False, None)
        else:
            expression = extra.generated if hidden in (2, 3) else None
            facts = (
                name,
                kind,
                notnull,
                default,
                None if expression is None else (expression, hidden == 3),
                extra.autoincrement,
                extra.collation,
            )
        column = built.get(facts)
        if column is None:
            generated = None if facts[4] is None else Generated(*facts[4])
            column = built[facts] = Column(
                name=name,
                type=kind or "",
                nullable=not notnull,
                default=None if generated else default,
                identity=Identity() if facts[5] else None,
                generated=generated,
                collation=facts[6],
            )
        columns[table].append(column)
        if pk:
            pk_columns[table].append((pk, name))

    indexes: dict[str, list[Index]] = defaultdict(list)
    uniques: dict[str, list[UniqueConstraint]] = defaultdict(list)
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    elements_built: dict[tuple[Any, ...], IndexElement] = pool("sqlite.index_element")
    index_sql_of = dict(rows(_INDEX_SQL))
    for row in rows(_INDEXES):
        if row[0] in sql_of:
            grouped[(row[0], row[1])].append(row)
    for (table, index_name), parts in grouped.items():
        unique, origin = bool(parts[0][2]), parts[0][3]
        index_sql = index_sql_of.get(index_name)
        if origin == "pk":
            continue
        if origin == "u":
            cols = tuple(p[6] for p in parts)
            uniques[table].append(
                UniqueConstraint(name=extras[table].uniques.get(cols, ""), columns=cols)
            )
            continue
        # The text is read only for what no pragma says: expression elements and WHERE.
        # An index on plain columns with no "WHERE" in its upper-cased text has neither
        # (upper() maps character by character, so a WHERE token would show there), and
        # such indexes are most of a schema's: not tokenized.
        if all(p[5] >= 0 for p in parts) and "WHERE" not in (index_sql or "").upper():
            texts: list[str] = []
            where: str | None = None
        else:
            texts, where = index_parts(index_sql or "")
        elements = []
        for k, (_t, _n, _u, _o, _seq, cid, col, desc, coll) in enumerate(parts):
            expression = col if cid >= 0 else (texts[k] if k < len(texts) else "")
            facts = (
                expression,
                cid < 0,
                bool(desc),
                None if (coll or "BINARY").upper() == "BINARY" else coll,
            )
            element = elements_built.get(facts)
            if element is None:  # equal elements are one object, as columns are
                element = elements_built[facts] = IndexElement(
                    expression=facts[0],
                    is_expression=facts[1],
                    descending=facts[2],
                    collation=facts[3],
                )
            elements.append(element)
        indexes[table].append(
            Index(name=index_name, elements=tuple(elements), unique=unique, where=where)
        )

    foreign_keys: dict[str, list[ForeignKey]] = defaultdict(list)
    fk_rows: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for row in rows(_FOREIGN_KEYS):
        if row[0] in sql_of:
            fk_rows[(row[0], row[1])].append(row)
    for (table, _id), parts in sorted(fk_rows.items(), key=lambda item: (item[0][0], -item[0][1])):
        ref_table = parts[0][2]
        cols = tuple(p[3] for p in parts)
        ref_cols = tuple(p[4] for p in parts)
        implied = any(c is None for c in ref_cols)
        if implied:  # REFERENCES t without columns: t's primary key
            ref_cols = tuple(name for _, name in sorted(pk_columns.get(ref_table, [])))
        name, deferrable, deferred = extras[table].foreign_keys.get(
            (cols, ref_table), ("", False, False)
        )
        foreign_keys[table].append(
            ForeignKey(
                name=name,
                columns=cols,
                ref_table=ref_table,
                ref_columns=ref_cols,
                on_update=_action(parts[0][5]),
                on_delete=_action(parts[0][6]),
                deferrable=deferrable,
                initially_deferred=deferred,
                ref_columns_implied=implied,
            )
        )

    tables = []
    for name in sql_of:
        pk = sorted(pk_columns.get(name, []))
        tables.append(
            Table(
                name=name,
                columns=tuple(columns[name]),
                primary_key=PrimaryKey(tuple(c for _, c in pk), name=extras[name].pk_name)
                if pk
                else None,
                uniques=tuple(uniques[name]),
                checks=tuple(CheckConstraint(name=n, expression=e) for n, e in extras[name].checks),
                foreign_keys=tuple(foreign_keys[name]),
                indexes=tuple(indexes[name]),
                strict=extras[name].strict,
                without_rowid=extras[name].without_rowid,
            )
        )
    views = []
    routines = [
        Routine(kind="virtual table", name=name, definition=sql) for name, sql in virtual.items()
    ]
    for kind, name, table, sql in rows(_OTHERS):
        if kind == "view":
            views.append(
                View(
                    name=name,
                    definition=view_query(sql or ""),
                    column_names=view_columns(sql or ""),
                )
            )
        elif table not in skip:
            routines.append(Routine(kind="trigger", name=name, definition=sql or "", table=table))
    return Schema(tables=tuple(tables), views=tuple(views), routines=tuple(routines))


def _refuse(found: dict[str, list[tuple[str, str]]]) -> None:
    """Left out, they would read as absent: a diff would make the table without them."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for table, parts in sorted(found.items()):
        for kind, where in parts:
            by_kind[kind].append(
                f"{table}.{where}" if where not in ("", "table constraint") else table
            )
    if by_kind:
        what = sorted(by_kind)[0]
        names = sorted(set(by_kind[what]))
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        others = f"; also {', '.join(sorted(by_kind)[1:])}" if len(by_kind) > 1 else ""
        raise Unsupported(f"{what} are not supported yet ({', '.join(names[:3])}{more}){others}")


def _unknown_modules(rows: Any, virtual: Mapping[str, str], tables: Collection[str]) -> list[str]:
    """Virtual tables whose module this SQLite has not loaded and dbshift does not know,
    beside tables named after them (``v_…``): whether those are the module's shadow
    tables or the schema's own, nothing here can tell."""
    unknown = {
        name
        for name, sql in virtual.items()
        if module_of(sql) not in _SHADOW_SUFFIXES and any(t.startswith(f"{name}_") for t in tables)
    }
    if not unknown:
        return []
    try:  # SQLite 3.30+ built with introspection pragmas (as Python's and most are)
        loaded = {str(name).lower() for (name,) in rows(_MODULES)}
    except Exception:
        loaded = set()
    return sorted(name for name in unknown if module_of(virtual[name]) not in loaded)


def _shadow_tables(rows: Any, virtual: Mapping[str, str]) -> set[str]:
    found = {
        f"{name}_{suffix}"
        for name, sql in virtual.items()
        for suffix in _SHADOW_SUFFIXES.get(module_of(sql), ())
    }
    version = tuple(int(part) for part in rows(_VERSION)[0][0].split(".")[:2])
    if version >= (3, 37):  # pragma_table_list
        found |= {name for (name,) in rows(_SHADOWS)}
    return found


def _action(text: str | None) -> ReferentialAction:
    try:
        return ReferentialAction((text or "NO ACTION").upper())
    except ValueError:
        return ReferentialAction.NO_ACTION
