"""PostgreSQL catalog → ``Schema``, read from pg_catalog in a fixed number of bulk queries.

information_schema would be portable but is slow (its views join through privilege checks)
and loses what the model needs: opclasses, NULLS FIRST, identity sequences, NOT VALID. The
catalog's own deparsers (``format_type``, ``pg_get_expr``, ``pg_get_viewdef`` …) supply
every piece of SQL text, so a desired schema materialised on a scratch server inspects to
the same strings as the live one.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from collections.abc import Sequence as Seq
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from dbshift.dialects.postgres.expressions import canonical
from dbshift.errors import Unsupported
from dbshift.inspect import postgres_queries as q
from dbshift.inspect.catalog import Catalog, another_catalog, batch, catalog_of
from dbshift.inspect.shared import pool
from dbshift.model import (
    CheckConstraint,
    Collation,
    Column,
    Comment,
    CompositeType,
    Domain,
    EnumType,
    ExclusionConstraint,
    Extension,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexElement,
    Policy,
    PrimaryKey,
    ReferentialAction,
    Routine,
    Schema,
    Sequence,
    Statistics,
    Table,
    UniqueConstraint,
    View,
)
from dbshift.model.depends import ROUTINE, TABLE, TRIGGER, VIEW, ident

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.direct import Connection as DriverConnection

__all__ = ["inspect_postgres"]

_ACTIONS = {
    "a": ReferentialAction.NO_ACTION,
    "r": ReferentialAction.RESTRICT,
    "c": ReferentialAction.CASCADE,
    "n": ReferentialAction.SET_NULL,
    "d": ReferentialAction.SET_DEFAULT,
}

#: An INDEX_COLUMNS row's column position in its index (the last field).
_POSITION = itemgetter(-1)

#: Bounds of the integer types a sequence can have, for telling default limits apart.
_SEQUENCE_BOUNDS = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}


def inspect_postgres(
    conn: Connection | DriverConnection,
    *,
    schema: str | None = None,
    exclude: Collection[str] = (),
    relative_to: str | None = None,
    refuse_unsupported: bool = True,
) -> Schema:
    """The objects of one PostgreSQL schema (``schema``, else ``current_schema()``).

    ``relative_to`` names the schema the catalog's text (types, defaults, view queries)
    is spelled relative to, when not the inspected one: a realm of several schemas is
    spelled relative to its default schema, so what one schema's objects say about
    another's resolves the same way when rendered (see ``dbshift.inspect.realm``).

    A schema that does not exist holds nothing, so it inspects as an empty ``Schema``. The
    session's search_path (pinned to the inspected schema while the catalog deparses) and
    jit setting are changed for the duration and put back afterwards (``SET_SESSION``).
    """
    catalog = catalog_of(conn)
    rows = catalog.rows(q.NAMESPACE, {"schema": schema})
    if not rows:
        return Schema()
    ns, version, search_path, jit = rows[0]
    saved = {"path": search_path, "jit": jit}
    setup = (
        (q.SET_SESSION, {"ns": ns})
        if relative_to is None
        else (q.SET_SESSION_PATH, {"path": relative_to})
    )
    catalog.rows(*setup)
    try:
        queries = [
            q.constraints(version),
            q.index_columns(version),
            q.DEPENDENCIES,
            q.COMMENTS,
            q.unsupported(version),
        ]
        with (
            _ReadAhead(catalog, ns, queries, setup) as ahead,
            batch(catalog, _main_queries(version), {"ns": ns}) as fetch,
        ):
            reader = _Reader(catalog, ns, version, frozenset(exclude), ahead, fetch)
            reader.refuse = refuse_unsupported
            result = reader.read()
    except BaseException:
        # The transaction may be aborted; the original error matters more than this one.
        with contextlib.suppress(Exception):
            catalog.rows(q.RESTORE_SESSION, saved)
        raise
    catalog.rows(q.RESTORE_SESSION, saved)
    return result


def _main_queries(version: int) -> list[str]:
    """The reader's own queries (the rest are read ahead), in the order it asks for them:
    sent together (``batch``), each is waited for only as long as the server is still on
    it."""
    return [
        q.RELATIONS,
        q.INHERITANCE,
        q.COLUMN_COMMENTS,
        q.COLUMNS,
        q.TABLE_ROUTINES,
        q.VIEW_OPTIONS,
        q.ROW_SECURITY,
        q.POLICIES,
        q.statistics(version),
        q.EXTENSIONS,
        q.collations(version),
        q.COMPOSITE_TYPES,
        q.ENUMS,
        q.DOMAINS,
        q.ROUTINES,
        q.TRIGGERS,
    ]


class _ReadAhead:
    """Queries run ahead on a second connection, while the reader works through the others.

    The reader needs the columns before it can name constraint and index columns, so it
    reads in order, and its server sat idle while it built objects: at 10,000 tables
    those pauses were a quarter of the run. Where a second connection can be had
    (``another_catalog``: bare PostgreSQL connections) the constraints and index queries
    run on it from the start, in a thread (the driver releases the GIL while it waits);
    the reader takes their rows when it gets to them. Without one, it runs them itself.
    """

    def __init__(
        self,
        catalog: Catalog,
        ns: int,
        queries: list[str],
        setup: tuple[str, dict[str, Any]],
    ) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        self.queries = frozenset(queries)
        # One future per query, each set as soon as its rows are in: the reader waits for
        # the query it needs, not for all of them.
        self._futures: dict[str, Future[list[Any] | None]] = {sql: Future() for sql in queries}
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pool.submit(self._run, catalog, ns, queries, setup)

    def _run(
        self, catalog: Catalog, ns: int, queries: list[str], setup: tuple[str, dict[str, Any]]
    ) -> None:
        try:
            second = another_catalog(catalog)
            if second is None:
                for future in self._futures.values():
                    future.set_result(None)
                return
            try:
                second.rows(*setup)  # the same names as the reader's session
                with batch(second, queries, {"ns": ns}) as rows:
                    for sql in queries:
                        self._futures[sql].set_result(rows(sql))
            finally:
                second.close()
        except BaseException as exc:  # handed to the reader, which waits on the futures
            for future in self._futures.values():
                if not future.done():
                    future.set_exception(exc)

    def rows(self, sql: str) -> list[Any] | None:
        """The rows of ``sql`` if it was read ahead, else None: the caller reads it."""
        if sql not in self.queries:
            return None
        return self._futures[sql].result()

    def __enter__(self) -> _ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True)


@dataclass
class _TableParts:
    """What accumulates for one table (or materialized view) while the queries come in."""

    name: str
    comment: str | None
    columns: list[Column] = field(default_factory=list)
    primary_key: PrimaryKey | None = None
    uniques: list[UniqueConstraint] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    exclusions: list[ExclusionConstraint] = field(default_factory=list)
    partition_by: str | None = None
    partition_of: str | None = None
    partition_bound: str | None = None
    #: (ENABLE, FORCE) ROW LEVEL SECURITY.
    row_security: tuple[bool, bool] = (False, False)
    storage: tuple[str, ...] = ()
    unlogged: bool = False
    policies: list[Policy] = field(default_factory=list)
    statistics: list[Statistics] = field(default_factory=list)
    inherits: tuple[str, ...] = ()
    column_order: tuple[str, ...] = ()

    def table(self, depends_on: tuple[str, ...] = ()) -> Table:
        return Table(
            name=self.name,
            columns=tuple(self.columns),
            primary_key=self.primary_key,
            uniques=tuple(self.uniques),
            checks=tuple(self.checks),
            foreign_keys=tuple(self.foreign_keys),
            indexes=tuple(self.indexes),
            comment=self.comment,
            exclusions=tuple(self.exclusions),
            partition_by=self.partition_by,
            partition_of=self.partition_of,
            partition_bound=self.partition_bound,
            row_security=self.row_security[0],
            force_row_security=self.row_security[1],
            storage=self.storage,
            unlogged=self.unlogged,
            policies=tuple(self.policies),
            statistics=tuple(self.statistics),
            inherits=self.inherits,
            column_order=self.column_order,
            depends_on=depends_on,
        )


class _Reader:
    def __init__(
        self,
        catalog: Catalog,
        ns: int,
        version: int,
        exclude: frozenset[str],
        ahead: _ReadAhead | None = None,
        fetch: Callable[[str], list[Any]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.ahead = ahead
        #: Runs one of the reader's queries (``batch``'s, when it has sent them at once).
        self.fetch = fetch or (lambda sql: catalog.rows(sql, {"ns": ns}))
        self.ns = ns
        self.version = version
        self.exclude = exclude
        self.tables: dict[int, _TableParts] = {}
        self.matviews: dict[int, _TableParts] = {}
        #: name, definition, comment
        self.views: dict[int, tuple[str, str, str | None]] = {}
        #: Every relation a trigger may hang on (tables, views), by oid.
        self.rel_names: dict[int, str] = {}
        self.sequences: list[Sequence] = []
        #: (relation, attnum) -> (name, collation oid) for tables and materialized views.
        self.attributes: dict[tuple[int, int], tuple[str, int]] = {}
        #: Refuse what the model cannot hold (see ``inspect_schema``).
        self.refuse = True
        #: What inheriting tables have from their parents only (see ``_inheritance``).
        self.inherited_columns: set[tuple[int, int]] = set()
        self.inherited_constraints: set[tuple[int, str]] = set()
        #: ident -> the idents it uses (see ``_dependencies``).
        self.depends: dict[str, tuple[str, ...]] = {}

    def _rows(self, sql: str) -> Iterable[Seq[Any]]:
        read = self.ahead.rows(sql) if self.ahead is not None else None
        return self.fetch(sql) if read is None else read

    def read(self) -> Schema:
        self._relations()
        self._inheritance()
        self._columns()
        self._constraints()
        self._indexes()
        self.depends = self._dependencies()
        view_options = self._view_options()
        views = [
            View(
                name=name,
                definition=definition,
                materialized=oid in self.matviews,
                comment=comment,
                indexes=tuple(self.matviews[oid].indexes) if oid in self.matviews else (),
                depends_on=self.depends.get(ident(VIEW, None, name), ()),
                **view_options.get(oid, {}),
            )
            for oid, (name, definition, comment) in self.views.items()
        ]
        self._row_security()
        relations = set(self.rel_names.values())
        schema = Schema(
            extensions=tuple(
                Extension(name, version) for name, version in self._rows(q.EXTENSIONS)
            ),
            collations=tuple(
                Collation(name, definition)
                for name, definition in self._rows(q.collations(self.version))
            ),
            composite_types=tuple(
                CompositeType(name, tuple((a, t) for a, t in attributes))
                for name, attributes in self._rows(q.COMPOSITE_TYPES)
            ),
            comments=tuple(
                Comment(kind, name, text, table=table, signature=signature)
                for kind, name, table, signature, text in self._rows(q.COMMENTS)
                if table is None or table.startswith("DOMAIN ") or table in relations
            ),
            tables=tuple(
                parts.table(self.depends.get(ident(TABLE, None, parts.name), ()))
                for parts in self.tables.values()
            ),
            views=tuple(views),
            sequences=tuple(self.sequences),
            enums=tuple(self._enums()),
            domains=tuple(
                Domain(name, definition, not_valid=tuple(later))
                for name, definition, later in self._rows(q.DOMAINS)
            ),
            # The model sorts by name and kind only: overloads and same-named triggers on
            # different tables need an order of their own to compare equal.
            routines=tuple(
                sorted(
                    (*self._routines(), *self._triggers()),
                    key=lambda r: (r.name, r.kind, r.signature, r.table or ""),
                )
            ),
        )
        if self.refuse:  # read ahead, last (see _ReadAhead): the others go first
            self._refuse_unsupported()
        return schema

    def _relations(self) -> None:
        for (
            oid,
            name,
            kind,
            comment,
            viewdef,
            partition_by,
            partition_of,
            partition_bound,
            *sequence,
            dep_type,
            owner,
            column,
        ) in self._rows(q.RELATIONS):
            if kind in ("r", "p"):
                if name in self.exclude or partition_of in self.exclude:
                    continue
                self.tables[oid] = _TableParts(
                    name,
                    comment,
                    partition_by=partition_by,
                    partition_of=partition_of,
                    partition_bound=partition_bound,
                )
                if partition_of is not None:
                    # Its columns, keys, indexes and cloned triggers are its parent's.
                    continue
            elif kind in ("v", "m"):
                self.views[oid] = (name, _view_definition(viewdef), comment)
                if kind == "m":
                    self.matviews[oid] = _TableParts(name, comment)
            else:
                # Identity sequences belong to their column; OWNED BY ones go with theirs.
                if dep_type != "i" and owner not in self.exclude:
                    self.sequences.append(_sequence(name, sequence, owner, column))
                continue
            self.rel_names[oid] = name

    def _inheritance(self) -> None:
        """Parents of inheriting tables, and what each has from them only (left out)."""
        parents: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for relation, parent, number, constraint in self._rows(q.INHERITANCE):
            if parent is not None:
                parents[relation].append((number, parent))
            elif constraint is not None:
                self.inherited_constraints.add((relation, constraint))
            else:
                self.inherited_columns.add((relation, number))
        for relation, named in parents.items():
            if relation in self.tables:
                self.tables[relation].inherits = tuple(n for _, n in sorted(named))

    def _columns(self) -> None:
        """Columns in attnum order, each distinct one built once.

        Columns are frozen, and schemas repeat themselves (``id bigint NOT NULL`` in every
        table), so one ``Column`` serves every row with the same facts: a third of the
        time and memory of inspecting 10,000 tables went into building equal columns. The
        query does not sort (see ``COLUMNS``); rows arrive in attnum order per table all
        the same with the plans the server picks, and a table whose rows do not is sorted
        here.
        """
        comments = {(r, n): text for r, n, text in self._rows(q.COLUMN_COMMENTS)}
        built: dict[tuple[Any, ...], Column] = pool("postgres.column")  # see inspect.shared
        unordered: set[int] = set()
        last: dict[int, int] = {}
        inherited = self.inherited_columns
        for row in self._rows(q.COLUMNS):
            relation, attnum, name, collation_oid = row[:4]
            self.attributes[relation, attnum] = (name, collation_oid)
            parts = self.tables.get(relation)
            if parts is None or (inherited and (relation, attnum) in inherited):
                continue
            if parts.partition_of is not None:  # its parent's (named for its keys only)
                continue
            if last.get(relation, 0) > attnum:
                unordered.add(relation)
            last[relation] = attnum
            facts = tuple(row[2:])  # a tuple already (catalog rows): no copy
            if facts[-2] is not None:  # the identity's sequence options: a list, unhashable
                facts = (*facts[:-2], tuple(facts[-2]), facts[-1])
            comment = comments.get((relation, attnum)) if comments else None
            key = facts if comment is None else (*facts, comment)
            column = built.get(key)
            if column is None:
                column = built[key] = _column(*facts, comment=comment)
            parts.columns.append(column)
        for relation in unordered:
            position = {name: n for (r, n), (name, _) in self.attributes.items() if r == relation}
            self.tables[relation].columns.sort(key=lambda c: position[c.name])
        children = {r for r, parts in self.tables.items() if parts.inherits}
        if children:
            names: dict[int, list[tuple[int, str]]] = defaultdict(list)
            for (relation, attnum), (name, _) in self.attributes.items():
                if relation in children:
                    names[relation].append((attnum, name))
            for relation, numbered in names.items():
                self.tables[relation].column_order = tuple(n for _, n in sorted(numbered))

    def _names(self, relation: int, attnums: Iterable[int]) -> tuple[str, ...]:
        attributes = self.attributes
        return tuple([attributes[relation, n][0] for n in attnums])

    def _constraints(self) -> None:
        for (
            relation,
            name,
            kind,
            attnums,
            deferrable,
            deferred,
            validated,
            check,
            ref_table,
            ref_namespace,
            ref_schema,
            ref_relation,
            ref_attnums,
            ref_names,
            on_delete,
            on_update,
            definition,
            include,
            nulls_not_distinct,
            local,
            no_inherit,
            match_full,
            delete_set_columns,
        ) in self._rows(q.constraints(self.version)):
            parts = self.tables.get(relation)
            if parts is None:
                continue
            if parts.partition_of is not None and not local:
                continue  # a check the server copied from the parent
            if self.inherited_constraints and (relation, name) in self.inherited_constraints:
                continue
            if kind == "x":
                parts.exclusions.append(ExclusionConstraint(name, definition))
                continue
            columns = self._names(relation, attnums)
            if kind == "p":
                parts.primary_key = PrimaryKey(
                    columns, name, deferrable, deferred, self._names(relation, include or ())
                )
            elif kind == "u":
                parts.uniques.append(
                    UniqueConstraint(
                        name,
                        columns,
                        deferrable,
                        deferred,
                        include=self._names(relation, include),
                        nulls_not_distinct=nulls_not_distinct,
                    )
                )
            elif kind == "c":
                parts.checks.append(CheckConstraint(name, canonical(check), validated, no_inherit))
            else:
                parts.foreign_keys.append(
                    ForeignKey(
                        name=name,
                        columns=columns,
                        ref_table=ref_table,
                        ref_columns=tuple(ref_names or self._names(ref_relation, ref_attnums)),
                        ref_schema=None if ref_namespace == self.ns else ref_schema,
                        on_delete=_ACTIONS[on_delete],
                        on_update=_ACTIONS[on_update],
                        deferrable=deferrable,
                        initially_deferred=deferred,
                        validated=validated,
                        match_full=match_full,
                        on_delete_columns=self._names(relation, delete_set_columns or ()),
                    )
                )

    def _indexes(self) -> None:
        rows_by_index: dict[int, list[Seq[Any]]] = defaultdict(list)
        for row in self._rows(q.index_columns(self.version)):
            rows_by_index[row[1]].append(row)
        for rows in rows_by_index.values():
            if len(rows) > 1:
                rows.sort(key=_POSITION)  # the query does not sort
        #: Equal elements are one object, as columns are (``_columns``): most indexes of
        #: a big schema are on a column of the same name, ascending, default collation.
        elements: dict[tuple[Any, ...], IndexElement] = pool("postgres.index_element")
        for rows in rows_by_index.values():
            relation = rows[0][0]
            parts = self.tables.get(relation) or self.matviews.get(relation)
            if parts is not None:
                parts.indexes.append(self._index(relation, rows, elements))

    def _index(
        self, relation: int, rows: list[Seq[Any]], built: dict[tuple[Any, ...], IndexElement]
    ) -> Index:
        """An index from its per-column rows (in column order).

        indoption bit 0 is DESC, bit 1 NULLS FIRST; NULLS FIRST is the default for DESC and
        NULLS LAST for ASC, so ``nulls_first`` is kept only when it goes against the
        direction. A collation is kept where it differs from the column's (for an
        expression: from its type's default).
        """
        _, _, name, method, unique, key_count, where, nulls_not_distinct, *_ = rows[0]
        elements = []
        for row in rows[:key_count]:
            attnum, expression, option, collation_oid, collation, expression_collation = row[8:14]
            if attnum == 0:
                natural_collation = expression_collation
            else:
                expression, natural_collation = self.attributes[relation, attnum]
            descending, nulls_first = bool(option & 1), bool(option & 2)
            facts = (
                expression,
                attnum == 0,
                descending,
                nulls_first if nulls_first != descending else None,
                collation if collation_oid not in (None, 0, natural_collation) else None,
                row[14],
            )
            element = built.get(facts)
            if element is None:
                element = built[facts] = IndexElement(
                    expression=facts[0],
                    is_expression=facts[1],
                    descending=facts[2],
                    nulls_first=facts[3],
                    collation=facts[4],
                    opclass=facts[5],
                )
            elements.append(element)
        include = rows[key_count:]
        return Index(
            name=name,
            elements=tuple(elements),
            unique=unique,
            where=canonical(where) if where else where,
            method=None if method == "btree" else method,
            include=self._names(relation, [row[8] for row in include]) if include else (),
            nulls_not_distinct=nulls_not_distinct,
            storage=tuple(rows[0][15] or ()),
        )

    def _enums(self) -> list[EnumType]:
        return [EnumType(name, tuple(values)) for name, values in self._rows(q.ENUMS)]

    def _view_options(self) -> dict[int, dict[str, Any]]:
        """check_option, security_barrier and security_invoker by view; another option is
        refused by name (never left out)."""
        out: dict[int, dict[str, Any]] = {}
        for oid, options in self._rows(q.VIEW_OPTIONS):
            found: dict[str, Any] = {}
            for option in options:
                key, _, value = option.partition("=")
                if key == "check_option":
                    found["check_option"] = value.upper()
                elif key in ("security_barrier", "security_invoker"):
                    found[key] = value.lower() in ("true", "on", "1", "yes")
                elif self.refuse:
                    raise Unsupported(f"view option {key} is not supported yet")
            out[oid] = found
        return out

    def _row_security(self) -> None:
        for oid, enabled, forced, storage, unlogged in self._rows(q.ROW_SECURITY):
            if oid in self.tables:
                self.tables[oid].row_security = (enabled, forced)
                self.tables[oid].storage = tuple(storage or ())
                self.tables[oid].unlogged = unlogged
        for oid, name, definition in self._rows(q.POLICIES):
            if oid in self.tables:
                self.tables[oid].policies.append(Policy(name, definition))
        for oid, name, kinds, columns, target in self._rows(q.statistics(self.version)):
            if oid in self.tables:
                self.tables[oid].statistics.append(Statistics(name, tuple(kinds), columns, target))

    def _refuse_unsupported(self) -> None:
        """Objects the model cannot hold, refused by name: a diff that left them out would
        call two different schemas equal, or drop what it never saw."""
        found: dict[str, list[str]] = defaultdict(list)
        for what, name in self._rows(q.unsupported(self.version)):
            found[what].append(name)
        if found:
            what = sorted(found)[0]
            names = sorted(found[what])
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            others = f"; also {', '.join(sorted(found)[1:])}" if len(found) > 1 else ""
            raise Unsupported(
                f"{what} are not supported yet ({', '.join(names[:3])}{more}){others}"
            )

    def _dependencies(self) -> dict[str, tuple[str, ...]]:
        """What each view, routine, trigger and type uses (``q.DEPENDENCIES``), by ident."""
        edges: dict[str, list[str]] = defaultdict(list)
        for kind, name, extra, ref_schema, ref_kind, ref_name, ref_extra in self._rows(
            q.DEPENDENCIES
        ):
            edges[ident(kind, None, name, extra)].append(
                ident(ref_kind, ref_schema, ref_name, ref_extra)
            )
        for table, routine, signature, schema in self._rows(q.TABLE_ROUTINES):
            edges[ident(TABLE, None, table)].append(ident(ROUTINE, schema, routine, signature))
        return {k: tuple(sorted(set(v))) for k, v in edges.items()}

    def _routines(self) -> list[Routine]:
        kinds = {"p": "procedure", "a": "aggregate"}
        return [
            Routine(
                kind=kinds.get(kind, "function"),
                name=name,
                definition=_unqualified(definition.strip(), prefix),
                signature=signature,
                depends_on=self.depends.get(ident(ROUTINE, None, name, signature), ()),
            )
            for name, kind, definition, signature, prefix in self._rows(q.ROUTINES)
        ]

    def _triggers(self) -> list[Routine]:
        return [
            Routine(
                kind="trigger",
                name=name,
                definition=definition,
                table=self.rel_names[on],
                depends_on=self.depends.get(ident(TRIGGER, None, name, self.rel_names[on]), ()),
            )
            for on, name, definition in self._rows(q.TRIGGERS)
            if on in self.rel_names  # else it hangs on an excluded table
        ]


def _column(
    name: str,
    _collation_oid: int,
    type_: str,
    not_null: bool,
    expression: str | None,
    identity_kind: str,
    generated_kind: str,
    collation: str | None,
    identity_sequence: tuple[int, ...] | None,
    identity_name: str | None,
    *,
    comment: str | None,
) -> Column:
    """A column from its ``COLUMNS`` row (after relation and attnum)."""
    identity = generated = None
    if identity_kind:
        identity = _identity(identity_kind == "a", type_, identity_sequence)
        if identity_name is not None:
            identity = replace(identity, sequence=identity_name)
    if generated_kind == "s":
        generated, expression = Generated(expression or "", stored=True), None
    return Column(
        name=name,
        type=type_,
        nullable=not not_null,
        default=expression,
        identity=identity,
        generated=generated,
        collation=collation,
        comment=comment,
    )


def _identity(always: bool, type_: str, options: Seq[int] | None) -> Identity:
    """An identity column's options, bounds and cache kept only where they differ from
    the defaults (as for ``_sequence``: the identity sequence has the column's type)."""
    if not options:
        return Identity(always)
    start, increment, min_value, max_value, cycle, cache = options
    low, high = _SEQUENCE_BOUNDS.get(type_, (None, None))
    default_min, default_max = (1, high) if increment > 0 else (low, -1)
    return Identity(
        always,
        start,
        increment,
        min_value=None if min_value == default_min else min_value,
        max_value=None if max_value == default_max else max_value,
        cycle=bool(cycle),
        cache=None if cache == 1 else cache,
    )


def _unqualified(definition: str, prefix: str) -> str:
    """``CREATE OR REPLACE FUNCTION s.f(…`` → ``… FUNCTION f(…`` for the inspected ``s.``."""
    for head in ("CREATE OR REPLACE FUNCTION ", "CREATE OR REPLACE PROCEDURE "):
        if definition.startswith(head + prefix):
            return head + definition[len(head) + len(prefix) :]
    return definition


def _view_definition(text: str) -> str:
    """``pg_get_viewdef()`` starts with a space and ends with ``;``: neither is the query."""
    text = text.strip()
    return text[:-1].rstrip() if text.endswith(";") else text


def _sequence(name: str, row: Seq[Any], owner: str | None, owner_column: str | None) -> Sequence:
    """A sequence with min/max kept only where they differ from the type's defaults.

    ``CREATE SEQUENCE`` defaults them by direction: ascending 1 … type max, descending
    type min … -1.
    """
    type_, start, increment, min_value, max_value, cycle, cache = row
    low, high = _SEQUENCE_BOUNDS.get(type_, (None, None))
    default_min, default_max = (1, high) if increment > 0 else (low, -1)
    return Sequence(
        name=name,
        type=type_,
        start=start,
        increment=increment,
        min_value=None if min_value == default_min else min_value,
        max_value=None if max_value == default_max else max_value,
        cycle=cycle,
        cache=cache,
        owned_by=f"{owner}.{owner_column}" if owner is not None else None,
    )
