"""PostgreSQL statements to facts, through pglast (libpg_query: the server's own grammar).

Names are taken as the parser gives them: unquoted identifiers already folded to lower
case, quoted ones exact, as the server would resolve them.
"""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import (
    ConstrType,
    DropBehavior,
    ObjectType,
    ReindexObjectType,
    TransactionStmtKind,
)

from dbshift.lint.facts import Act, Action, ColumnFact, ConstraintKind
from dbshift.lint.parse import ParseFailed, pg_tree

#: Functions whose value differs per row: a column added with one as its default forces
#: PostgreSQL to write every row (PG 11's fast default only covers non-volatile values).
VOLATILE_FUNCTIONS = frozenset(
    {
        "random",
        "clock_timestamp",
        "timeofday",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "nextval",
        "txid_current",
        "setseed",
    }
)
_SERIAL = frozenset({"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"})

_CONSTRAINTS = {
    ConstrType.CONSTR_PRIMARY: ConstraintKind.PRIMARY_KEY,
    ConstrType.CONSTR_UNIQUE: ConstraintKind.UNIQUE,
    ConstrType.CONSTR_FOREIGN: ConstraintKind.FOREIGN_KEY,
    ConstrType.CONSTR_CHECK: ConstraintKind.CHECK,
    ConstrType.CONSTR_EXCLUSION: ConstraintKind.EXCLUDE,
    ConstrType.CONSTR_NOTNULL: ConstraintKind.NOT_NULL,
}
_TRANSACTION = {
    TransactionStmtKind.TRANS_STMT_BEGIN: "begin",
    TransactionStmtKind.TRANS_STMT_START: "begin",
    TransactionStmtKind.TRANS_STMT_COMMIT: "commit",
    TransactionStmtKind.TRANS_STMT_ROLLBACK: "rollback",
    TransactionStmtKind.TRANS_STMT_SAVEPOINT: "savepoint",
    TransactionStmtKind.TRANS_STMT_RELEASE: "release",
    # ROLLBACK TO SAVEPOINT keeps the transaction open.
    TransactionStmtKind.TRANS_STMT_ROLLBACK_TO: "rollback to",
    TransactionStmtKind.TRANS_STMT_PREPARE: "prepare",
    TransactionStmtKind.TRANS_STMT_COMMIT_PREPARED: "commit",
    TransactionStmtKind.TRANS_STMT_ROLLBACK_PREPARED: "rollback",
}


def actions(sql: str) -> tuple[Action, ...]:
    try:
        parsed = pg_tree.statements(sql)
    except pg_tree.ParseError as exc:
        raise ParseFailed(str(exc)) from None
    out: list[Action] = []
    for _, _, _, node in parsed:
        out.extend(_statement(node, sql))
    return tuple(out)


def section(text: str) -> list[tuple[int, str, tuple[Action, ...]]]:
    """Every statement of ``text`` from one parser call: how many lines into ``text`` it
    starts, its SQL, its actions. Raises ``ParseFailed`` if any statement does not parse
    (the caller then splits and parses statement by statement, to say which)."""
    try:
        parsed = pg_tree.statements(text)
    except pg_tree.ParseError as exc:
        raise ParseFailed(str(exc)) from None
    return [(newlines, sql, tuple(_statement(node, sql))) for _, newlines, sql, node in parsed]


def _statement(node: Any, sql: str) -> list[Action]:
    handler = _HANDLERS.get(type(node).__name__)
    if handler is None:
        return [Action(Act.OTHER_DDL if _is_ddl(node) else Act.OTHER)]
    result: list[Action] = handler(node, sql)
    return result


def _is_ddl(node: Any) -> bool:
    name = type(node).__name__
    return name.startswith(("Create", "Alter", "Drop", "Rename", "Comment", "Grant")) or name in {
        "IndexStmt",
        "ViewStmt",
        "DefineStmt",
        "CompositeTypeStmt",
        "RuleStmt",
    }


def _rel(rv: Any) -> str | None:
    return None if rv is None else str(rv.relname)


def _names(items: Any) -> str:
    """The last part of a qualified name list such as ``(schema, name)``."""
    return str(items[-1].sval) if items else ""


def _text(node: Any, sql: str) -> str:
    """Best-effort SQL text of an expression, for messages."""
    simple = pg_tree.simple_text(node)
    if simple is not None:
        return simple
    try:
        from pglast.stream import RawStream

        return str(RawStream()(pg_tree.real(node)))
    except Exception:  # pragma: no cover - printing is cosmetic, never fatal
        return type(node).__name__


def _functions(node: Any) -> set[str]:
    """Names of the functions called anywhere inside ``node``."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, ast.FuncCall):
            found.add(_names(value.funcname).lower())
        if isinstance(value, ast.Node):
            for slot in getattr(value, "__slots__", ()):
                walk(getattr(value, slot))
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)

    walk(node)
    return found


def _type(type_name: Any) -> tuple[str | None, tuple[int, ...]]:
    if type_name is None:
        return None, ()
    name = _names(type_name.names).lower()
    args = []
    for mod in type_name.typmods or ():
        val = getattr(mod, "val", None)
        if isinstance(val, ast.Integer) and val.ival is not None:
            args.append(int(val.ival))
    if type_name.arrayBounds:
        name += "[]"
    return name, tuple(args)


def _column(col: Any, sql: str) -> ColumnFact:
    type_name, type_args = _type(col.typeName)
    not_null = bool(col.is_not_null)
    default: str | None = None
    volatile = False
    stored = identity = pk = unique = refs = False
    for con in col.constraints or ():
        kind = con.contype
        if kind == ConstrType.CONSTR_NOTNULL:
            not_null = True
        elif kind == ConstrType.CONSTR_DEFAULT:
            default = _text(con.raw_expr, sql)
            volatile = bool(_functions(con.raw_expr) & VOLATILE_FUNCTIONS)
        elif kind == ConstrType.CONSTR_GENERATED:
            stored = True
        elif kind == ConstrType.CONSTR_IDENTITY:
            identity = True
            not_null = True
        elif kind == ConstrType.CONSTR_PRIMARY:
            pk = not_null = True
        elif kind == ConstrType.CONSTR_UNIQUE:
            unique = True
        elif kind == ConstrType.CONSTR_FOREIGN:
            refs = True
    if type_name in _SERIAL:
        # serial is an integer column with DEFAULT nextval(...): volatile, per row.
        volatile = True
        default = default or "nextval(...)"
        not_null = True
    return ColumnFact(
        name=str(col.colname),
        type=type_name,
        type_args=type_args,
        not_null=not_null,
        default=default,
        volatile_default=volatile,
        generated_stored=stored,
        identity=identity,
        primary_key=pk,
        unique=unique,
        references=refs,
    )


def _constraint(con: Any, table: str | None) -> Action:
    return Action(
        Act.ADD_CONSTRAINT,
        table=table,
        name=con.conname,
        constraint=_CONSTRAINTS.get(con.contype),
        not_valid=bool(con.skip_validation),
        using_index=bool(con.indexname),
        references=_rel(con.pktable),
        # A CHECK's expression, e.g. "c IS NOT NULL" (a PostgreSQL 12+ SET NOT NULL uses it).
        value=_text(con.raw_expr, "") if con.raw_expr is not None else None,
    )


def _create(node: Any, sql: str) -> list[Action]:
    table = _rel(node.relation)
    out = [Action(Act.CREATE_TABLE, table=table)]
    for elt in node.tableElts or ():
        if isinstance(elt, ast.ColumnDef):
            out.append(Action(Act.ADD_COLUMN, table=table, column=_column(elt, sql)))
    if node.partbound is not None:
        out.append(Action(Act.ATTACH_PARTITION, table=_rel(node.inhRelations[0]), name=table))
    return out


def _alter_table(node: Any, sql: str) -> list[Action]:
    table = _rel(node.relation)
    if node.objtype == ObjectType.OBJECT_INDEX:
        return [Action(Act.OTHER_DDL, table=table)]
    out: list[Action] = []
    for cmd in node.cmds or ():
        out.append(_alter_cmd(cmd, table, sql))
    return out


def _alter_cmd(cmd: Any, table: str | None, sql: str) -> Action:
    sub, name = cmd.subtype, cmd.name
    if sub == AT.AT_AddColumn:
        return Action(Act.ADD_COLUMN, table=table, column=_column(cmd.def_, sql))
    if sub == AT.AT_DropColumn:
        return Action(Act.DROP_COLUMN, table=table, name=name)
    if sub == AT.AT_AlterColumnType:
        col = cmd.def_
        type_name, type_args = _type(col.typeName)
        fact = ColumnFact(name=str(name), type=type_name, type_args=type_args)
        using = _text(col.raw_default, sql) if col.raw_default is not None else None
        return Action(Act.ALTER_TYPE, table=table, name=name, column=fact, value=using)
    if sub == AT.AT_SetNotNull:
        return Action(Act.SET_NOT_NULL, table=table, name=name)
    if sub == AT.AT_DropNotNull:
        return Action(Act.DROP_NOT_NULL, table=table, name=name)
    if sub == AT.AT_ColumnDefault:
        if cmd.def_ is None:
            return Action(Act.DROP_DEFAULT, table=table, name=name)
        return Action(Act.SET_DEFAULT, table=table, name=name, value=_text(cmd.def_, sql))
    if sub == AT.AT_AddConstraint:
        return _constraint(cmd.def_, table)
    if sub == AT.AT_ValidateConstraint:
        return Action(Act.VALIDATE_CONSTRAINT, table=table, name=name)
    if sub == AT.AT_DropConstraint:
        return Action(Act.DROP_CONSTRAINT, table=table, name=name)
    if sub == AT.AT_AttachPartition:
        return Action(Act.ATTACH_PARTITION, table=table, name=_rel(cmd.def_.name))
    if sub == AT.AT_DetachPartition:
        return Action(
            Act.DETACH_PARTITION,
            table=table,
            name=_rel(cmd.def_.name),
            concurrently=bool(cmd.def_.concurrent),
        )
    return Action(Act.OTHER_DDL, table=table, name=name, value=AT(sub).name)


def _index(node: Any, sql: str) -> list[Action]:
    return [
        Action(
            Act.CREATE_INDEX,
            table=_rel(node.relation),
            name=node.idxname,
            concurrently=bool(node.concurrent),
            unique=bool(node.unique),
            value=node.accessMethod,
        )
    ]


def _drop(node: Any, sql: str) -> list[Action]:
    kind = node.removeType
    cascade = node.behavior == DropBehavior.DROP_CASCADE
    out: list[Action] = []
    for obj in node.objects or ():
        name = _names(obj) if isinstance(obj, tuple) else None
        if kind == ObjectType.OBJECT_TABLE:
            out.append(Action(Act.DROP_TABLE, table=name, cascade=cascade))
        elif kind == ObjectType.OBJECT_INDEX:
            out.append(Action(Act.DROP_INDEX, name=name, concurrently=bool(node.concurrent)))
        elif kind == ObjectType.OBJECT_SCHEMA:
            schema = str(obj.sval) if name is None else name
            out.append(Action(Act.DROP_SCHEMA, name=schema, cascade=cascade))
        else:
            out.append(Action(Act.OTHER_DDL, name=name, value=ObjectType(kind).name))
    return out


def _rename(node: Any, sql: str) -> list[Action]:
    kind = node.renameType
    table = _rel(node.relation)
    if kind == ObjectType.OBJECT_COLUMN:
        return [Action(Act.RENAME_COLUMN, table=table, name=node.subname, new_name=node.newname)]
    if kind == ObjectType.OBJECT_TABLE:
        return [Action(Act.RENAME_TABLE, table=table, new_name=node.newname)]
    return [Action(Act.OTHER_DDL, table=table, new_name=node.newname)]


def _set(node: Any, sql: str) -> list[Action]:
    value = None
    if node.args:
        arg = node.args[0]
        val = getattr(arg, "val", None)
        value = str(getattr(val, "sval", None) or getattr(val, "ival", "")) if val else None
    return [Action(Act.SET, name=(node.name or "").lower(), value=value)]


def _vacuum(node: Any, sql: str) -> list[Action]:
    options = {str(opt.defname).lower() for opt in node.options or ()}
    tables = [_rel(rel.relation) for rel in node.rels or ()] or [None]
    act = Act.VACUUM if node.is_vacuumcmd else Act.OTHER
    return [Action(act, table=t, value="full" if "full" in options else None) for t in tables]


def _reindex(node: Any, sql: str) -> list[Action]:
    options = {str(opt.defname).lower() for opt in node.params or ()}
    return [
        Action(
            Act.REINDEX,
            table=_rel(node.relation),
            name=node.name,
            concurrently="concurrently" in options,
            # What is rebuilt: index, table, schema, system or database.
            value=ReindexObjectType(node.kind).name.removeprefix("REINDEX_OBJECT_").lower(),
        )
    ]


def _truncate(node: Any, sql: str) -> list[Action]:
    cascade = node.behavior == DropBehavior.DROP_CASCADE
    return [Action(Act.TRUNCATE, table=_rel(rel), cascade=cascade) for rel in node.relations]


def _delete(node: Any, sql: str) -> list[Action]:
    restricted = node.whereClause is not None or bool(node.usingClause)
    return [Action(Act.DELETE, table=_rel(node.relation), has_where=restricted)]


def _update(node: Any, sql: str) -> list[Action]:
    restricted = node.whereClause is not None or bool(node.fromClause)
    return [Action(Act.UPDATE, table=_rel(node.relation), has_where=restricted)]


def _insert(node: Any, sql: str) -> list[Action]:
    # INSERT ... SELECT reads rows (has_where); INSERT ... VALUES is a SelectStmt too.
    query = node.selectStmt is not None and not node.selectStmt.valuesLists
    return [Action(Act.INSERT, table=_rel(node.relation), has_where=query)]


def _transaction(node: Any, sql: str) -> list[Action]:
    return [Action(Act.TRANSACTION, name=_TRANSACTION.get(node.kind, "other"))]


def _domain(node: Any, sql: str) -> list[Action]:
    checks = [c for c in node.constraints or () if c.contype == ConstrType.CONSTR_CHECK]
    return [
        Action(
            Act.CREATE_DOMAIN,
            name=_names(node.domainname),
            constraint=ConstraintKind.CHECK if checks else None,
        )
    ]


def _alter_domain(node: Any, sql: str) -> list[Action]:
    adds = node.subtype == "C"
    return [
        Action(
            Act.ALTER_DOMAIN,
            name=_names(node.typeName),
            constraint=ConstraintKind.CHECK if adds else None,
            not_valid=adds and bool(node.def_.skip_validation),
        )
    ]


def _cluster(node: Any, sql: str) -> list[Action]:
    return [Action(Act.CLUSTER, table=_rel(node.relation))]


def _enum(node: Any, sql: str) -> list[Action]:
    if node.newVal is None:
        return [Action(Act.OTHER_DDL, name=_names(node.typeName))]
    return [Action(Act.ADD_ENUM_VALUE, name=_names(node.typeName), value=node.newVal)]


_HANDLERS: dict[str, Any] = {
    "CreateStmt": _create,
    "AlterTableStmt": _alter_table,
    "IndexStmt": _index,
    "DropStmt": _drop,
    "RenameStmt": _rename,
    "VariableSetStmt": _set,
    "VacuumStmt": _vacuum,
    "ReindexStmt": _reindex,
    "TruncateStmt": _truncate,
    "DeleteStmt": _delete,
    "UpdateStmt": _update,
    "InsertStmt": _insert,
    "SelectStmt": lambda node, sql: [Action(Act.SELECT)],
    "TransactionStmt": _transaction,
    "CreateDomainStmt": _domain,
    "AlterDomainStmt": _alter_domain,
    "ClusterStmt": _cluster,
    "AlterEnumStmt": _enum,
    "DropdbStmt": lambda node, sql: [Action(Act.DROP_DATABASE, name=node.dbname)],
    # Statements PostgreSQL refuses inside a transaction block: ``value`` names them.
    "CreatedbStmt": lambda node, sql: [
        Action(Act.OTHER_DDL, name=node.dbname, value="create database")
    ],
    "AlterSystemStmt": lambda node, sql: [Action(Act.OTHER_DDL, value="alter system")],
    "CreateTableSpaceStmt": lambda node, sql: [
        Action(Act.OTHER_DDL, name=node.tablespacename, value="create tablespace")
    ],
    "DropTableSpaceStmt": lambda node, sql: [
        Action(Act.OTHER_DDL, name=node.tablespacename, value="drop tablespace")
    ],
    "ViewStmt": lambda node, sql: [Action(Act.CREATE_VIEW, table=_rel(node.view))],
    "CreateFunctionStmt": lambda node, sql: [Action(Act.CREATE_ROUTINE)],
    "CreateTrigStmt": lambda node, sql: [Action(Act.CREATE_TRIGGER, table=_rel(node.relation))],
    "CreateTableAsStmt": lambda node, sql: [Action(Act.CREATE_TABLE, table=_rel(node.into.rel))],
}
