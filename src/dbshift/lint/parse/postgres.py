"""PostgreSQL statements to facts, through pglast (libpg_query: the server's own grammar).

Names are taken as the parser gives them: unquoted identifiers already folded to lower
case, quoted ones exact, as the server would resolve them.

The handlers read libpg_query's JSON parse tree (``pg_tree.statements``): plain dicts, each
node wrapped as ``{"NodeType": {fields}}`` except where a field's type is a specific struct
(``relation``: a RangeVar's fields); fields at their zero value (false, 0, null, empty
list) are left out, enums come as their names. Building pglast node objects for every
statement cost more than the rest of a lint run.
"""

from __future__ import annotations

from typing import Any

from pglast.enums import ConstrType, TransactionStmtKind

from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, ColumnFact, ConstraintKind
from dbshift.lint.parse import ParseFailed, pg_tree

#: Functions whose value differs per row (the PostgreSQL dialect's one list): a column added
#: with one as its default forces PostgreSQL to write every row.
VOLATILE_FUNCTIONS = PostgresDialect.volatile_functions
_SERIAL = frozenset({"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"})

_CONSTRAINTS = {
    ConstrType.CONSTR_PRIMARY.name: ConstraintKind.PRIMARY_KEY,
    ConstrType.CONSTR_UNIQUE.name: ConstraintKind.UNIQUE,
    ConstrType.CONSTR_FOREIGN.name: ConstraintKind.FOREIGN_KEY,
    ConstrType.CONSTR_CHECK.name: ConstraintKind.CHECK,
    ConstrType.CONSTR_EXCLUSION.name: ConstraintKind.EXCLUDE,
    ConstrType.CONSTR_NOTNULL.name: ConstraintKind.NOT_NULL,
}
_TRANSACTION = {
    TransactionStmtKind.TRANS_STMT_BEGIN.name: "begin",
    TransactionStmtKind.TRANS_STMT_START.name: "begin",
    TransactionStmtKind.TRANS_STMT_COMMIT.name: "commit",
    TransactionStmtKind.TRANS_STMT_ROLLBACK.name: "rollback",
    TransactionStmtKind.TRANS_STMT_SAVEPOINT.name: "savepoint",
    TransactionStmtKind.TRANS_STMT_RELEASE.name: "release",
    # ROLLBACK TO SAVEPOINT keeps the transaction open.
    TransactionStmtKind.TRANS_STMT_ROLLBACK_TO.name: "rollback to",
    TransactionStmtKind.TRANS_STMT_PREPARE.name: "prepare",
    TransactionStmtKind.TRANS_STMT_COMMIT_PREPARED.name: "commit",
    TransactionStmtKind.TRANS_STMT_ROLLBACK_PREPARED.name: "rollback",
}


#: A JSON node: ``{"NodeType": {fields}}``; its fields.
Node = dict[str, Any]


def actions(sql: str) -> tuple[Action, ...]:
    try:
        parsed = pg_tree.statements(sql)
    except pg_tree.ParseError as exc:
        raise ParseFailed(str(exc)) from None
    out: list[Action] = []
    for _, _, _, tree in parsed:
        out.extend(_statement(tree, sql))
    return tuple(out)


def section(text: str) -> list[tuple[int, str, tuple[Action, ...]]]:
    """Every statement of ``text`` from one parser call: how many lines into ``text`` it
    starts, its SQL, its actions. Raises ``ParseFailed`` if any statement does not parse
    (the caller then splits and parses statement by statement, to say which)."""
    try:
        parsed = pg_tree.statements(text)
    except pg_tree.ParseError as exc:
        raise ParseFailed(str(exc)) from None
    return [(newlines, sql, tuple(_statement(tree, sql))) for _, newlines, sql, tree in parsed]


def _statement(tree: Node, sql: str) -> list[Action]:
    ((kind, node),) = tree.items()
    handler = _HANDLERS.get(kind)
    if handler is None:
        return [Action(Act.OTHER_DDL if _is_ddl(kind) else Act.OTHER)]
    result: list[Action] = handler(node, sql)
    return result


def _is_ddl(name: str) -> bool:
    return name.startswith(("Create", "Alter", "Drop", "Rename", "Comment", "Grant")) or name in {
        "IndexStmt",
        "ViewStmt",
        "DefineStmt",
        "CompositeTypeStmt",
        "RuleStmt",
    }


def _rel(rv: Node | None) -> str | None:
    """A RangeVar's table name (its fields, unwrapped)."""
    return None if rv is None else str(rv.get("relname"))


def _names(items: Any) -> str:
    """The last part of a qualified name list such as ``(schema, name)``."""
    return str(items[-1].get("String", {}).get("sval", "")) if items else ""


def _text(expr: Node | None, sql: str) -> str:
    """Best-effort SQL text of an expression, for messages."""
    node = pg_tree.node(expr)
    simple = pg_tree.simple_text(node)
    if simple is not None:
        return simple
    try:
        from pglast.stream import RawStream

        return str(RawStream()(pg_tree.real(node)))
    except Exception:  # pragma: no cover - printing is cosmetic, never fatal
        return type(node).__name__


def _functions(expr: Any) -> set[str]:
    """Names of the functions called anywhere inside ``expr``."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            call = value.get("FuncCall")
            if call is not None:
                found.add(_names(call.get("funcname")).lower())
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(expr)
    return found


def _type(type_name: Node | None) -> tuple[str | None, tuple[int, ...]]:
    if type_name is None:
        return None, ()
    name = _names(type_name.get("names")).lower()
    args = []
    for mod in type_name.get("typmods", ()):
        const = mod.get("A_Const")
        if const is not None and "ival" in const:
            args.append(int(const["ival"].get("ival", 0)))
    if type_name.get("arrayBounds"):
        name += "[]"
    return name, tuple(args)


def _column(col: Node, sql: str) -> ColumnFact:
    type_name, type_args = _type(col.get("typeName"))
    not_null = bool(col.get("is_not_null"))
    default: str | None = None
    volatile = False
    stored = identity = pk = unique = refs = False
    for wrapped in col.get("constraints", ()):
        con = wrapped["Constraint"]
        kind = con.get("contype")
        if kind == "CONSTR_NOTNULL":
            not_null = True
        elif kind == "CONSTR_DEFAULT":
            default = _text(con.get("raw_expr"), sql)
            volatile = bool(_functions(con.get("raw_expr")) & VOLATILE_FUNCTIONS)
        elif kind == "CONSTR_GENERATED":
            stored = True
        elif kind == "CONSTR_IDENTITY":
            identity = True
            not_null = True
        elif kind == "CONSTR_PRIMARY":
            pk = not_null = True
        elif kind == "CONSTR_UNIQUE":
            unique = True
        elif kind == "CONSTR_FOREIGN":
            refs = True
    if type_name in _SERIAL:
        # serial is an integer column with DEFAULT nextval(...): volatile, per row.
        volatile = True
        default = default or "nextval(...)"
        not_null = True
    return ColumnFact(
        name=str(col.get("colname")),
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


def _constraint(con: Node, table: str | None) -> Action:
    expr = con.get("raw_expr")
    return Action(
        Act.ADD_CONSTRAINT,
        table=table,
        name=con.get("conname"),
        constraint=_CONSTRAINTS.get(con.get("contype", "")),
        not_valid=bool(con.get("skip_validation")),
        using_index=bool(con.get("indexname")),
        references=_rel(con.get("pktable")),
        # A CHECK's expression, e.g. "c IS NOT NULL" (a PostgreSQL 12+ SET NOT NULL uses it).
        value=_text(expr, "") if expr is not None else None,
    )


def _create(node: Node, sql: str) -> list[Action]:
    table = _rel(node.get("relation"))
    out = [Action(Act.CREATE_TABLE, table=table)]
    for elt in node.get("tableElts", ()):
        col = elt.get("ColumnDef")
        if col is not None:
            out.append(Action(Act.ADD_COLUMN, table=table, column=_column(col, sql)))
    if node.get("partbound") is not None:
        parent = _rel(node["inhRelations"][0]["RangeVar"])
        out.append(Action(Act.ATTACH_PARTITION, table=parent, name=table))
    return out


def _alter_table(node: Node, sql: str) -> list[Action]:
    table = _rel(node.get("relation"))
    if node.get("objtype") == "OBJECT_INDEX":
        return [Action(Act.OTHER_DDL, table=table)]
    return [_alter_cmd(cmd["AlterTableCmd"], table, sql) for cmd in node.get("cmds", ())]


def _alter_cmd(cmd: Node, table: str | None, sql: str) -> Action:
    sub, name = cmd.get("subtype", "AT_AddColumn"), cmd.get("name")
    definition: Any = cmd.get("def")
    if sub == "AT_AddColumn":
        return Action(Act.ADD_COLUMN, table=table, column=_column(definition["ColumnDef"], sql))
    if sub == "AT_DropColumn":
        return Action(Act.DROP_COLUMN, table=table, name=name)
    if sub == "AT_AlterColumnType":
        col = definition["ColumnDef"]
        type_name, type_args = _type(col.get("typeName"))
        fact = ColumnFact(name=str(name), type=type_name, type_args=type_args)
        raw = col.get("raw_default")
        using = _text(raw, sql) if raw is not None else None
        return Action(Act.ALTER_TYPE, table=table, name=name, column=fact, value=using)
    if sub == "AT_SetNotNull":
        return Action(Act.SET_NOT_NULL, table=table, name=name)
    if sub == "AT_DropNotNull":
        return Action(Act.DROP_NOT_NULL, table=table, name=name)
    if sub == "AT_ColumnDefault":
        if definition is None:
            return Action(Act.DROP_DEFAULT, table=table, name=name)
        return Action(Act.SET_DEFAULT, table=table, name=name, value=_text(definition, sql))
    if sub == "AT_AddConstraint":
        return _constraint(definition["Constraint"], table)
    if sub == "AT_ValidateConstraint":
        return Action(Act.VALIDATE_CONSTRAINT, table=table, name=name)
    if sub == "AT_DropConstraint":
        return Action(Act.DROP_CONSTRAINT, table=table, name=name)
    if sub == "AT_AttachPartition":
        partition = definition["PartitionCmd"]
        return Action(Act.ATTACH_PARTITION, table=table, name=_rel(partition.get("name")))
    if sub == "AT_DetachPartition":
        partition = definition["PartitionCmd"]
        return Action(
            Act.DETACH_PARTITION,
            table=table,
            name=_rel(partition.get("name")),
            concurrently=bool(partition.get("concurrent")),
        )
    return Action(Act.OTHER_DDL, table=table, name=name, value=sub)


def _index(node: Node, sql: str) -> list[Action]:
    return [
        Action(
            Act.CREATE_INDEX,
            table=_rel(node.get("relation")),
            name=node.get("idxname"),
            concurrently=bool(node.get("concurrent")),
            unique=bool(node.get("unique")),
            value=node.get("accessMethod"),
        )
    ]


def _drop(node: Node, sql: str) -> list[Action]:
    kind = node.get("removeType", "OBJECT_ACCESS_METHOD")
    cascade = node.get("behavior") == "DROP_CASCADE"
    out: list[Action] = []
    for obj in node.get("objects", ()):
        qualified = obj.get("List")
        name = _names(qualified.get("items", ())) if qualified is not None else None
        if kind == "OBJECT_TABLE":
            out.append(Action(Act.DROP_TABLE, table=name, cascade=cascade))
        elif kind == "OBJECT_INDEX":
            concurrently = bool(node.get("concurrent"))
            out.append(Action(Act.DROP_INDEX, name=name, concurrently=concurrently))
        elif kind == "OBJECT_SCHEMA":
            schema = str(obj.get("String", {}).get("sval")) if name is None else name
            out.append(Action(Act.DROP_SCHEMA, name=schema, cascade=cascade))
        else:
            out.append(Action(Act.OTHER_DDL, name=name, value=kind))
    return out


def _rename(node: Node, sql: str) -> list[Action]:
    kind = node.get("renameType")
    table = _rel(node.get("relation"))
    new_name = node.get("newname")
    if kind == "OBJECT_COLUMN":
        name = node.get("subname")
        return [Action(Act.RENAME_COLUMN, table=table, name=name, new_name=new_name)]
    if kind == "OBJECT_TABLE":
        return [Action(Act.RENAME_TABLE, table=table, new_name=new_name)]
    return [Action(Act.OTHER_DDL, table=table, new_name=new_name)]


def _set(node: Node, sql: str) -> list[Action]:
    value = None
    args = node.get("args")
    const = args[0].get("A_Const") if args else None
    if const is not None and not const.get("isnull"):
        if "sval" in const:
            value = str(const["sval"].get("sval") or "")
        elif "ival" in const:
            value = str(const["ival"].get("ival", 0))
        else:  # a number with a fraction, a boolean, a bit string
            value = ""
    return [Action(Act.SET, name=(node.get("name") or "").lower(), value=value)]


def _options(items: Any) -> set[str]:
    return {str(item["DefElem"].get("defname")).lower() for item in items or ()}


def _vacuum(node: Node, sql: str) -> list[Action]:
    options = _options(node.get("options"))
    rels = node.get("rels", ())
    tables = [_rel(rel["VacuumRelation"].get("relation")) for rel in rels] or [None]
    act = Act.VACUUM if node.get("is_vacuumcmd") else Act.OTHER
    return [Action(act, table=t, value="full" if "full" in options else None) for t in tables]


def _reindex(node: Node, sql: str) -> list[Action]:
    kind = node.get("kind", "REINDEX_OBJECT_INDEX")
    return [
        Action(
            Act.REINDEX,
            table=_rel(node.get("relation")),
            name=node.get("name"),
            concurrently="concurrently" in _options(node.get("params")),
            # What is rebuilt: index, table, schema, system or database.
            value=kind.removeprefix("REINDEX_OBJECT_").lower(),
        )
    ]


def _truncate(node: Node, sql: str) -> list[Action]:
    cascade = node.get("behavior") == "DROP_CASCADE"
    return [
        Action(Act.TRUNCATE, table=_rel(rel["RangeVar"]), cascade=cascade)
        for rel in node.get("relations", ())
    ]


def _delete(node: Node, sql: str) -> list[Action]:
    restricted = "whereClause" in node or bool(node.get("usingClause"))
    return [Action(Act.DELETE, table=_rel(node.get("relation")), has_where=restricted)]


def _update(node: Node, sql: str) -> list[Action]:
    restricted = "whereClause" in node or bool(node.get("fromClause"))
    return [Action(Act.UPDATE, table=_rel(node.get("relation")), has_where=restricted)]


def _insert(node: Node, sql: str) -> list[Action]:
    # INSERT ... SELECT reads rows (has_where); INSERT ... VALUES is a SelectStmt too.
    select = node.get("selectStmt")
    query = select is not None and not select.get("SelectStmt", {}).get("valuesLists")
    return [Action(Act.INSERT, table=_rel(node.get("relation")), has_where=query)]


def _transaction(node: Node, sql: str) -> list[Action]:
    kind = node.get("kind", "TRANS_STMT_BEGIN")
    return [Action(Act.TRANSACTION, name=_TRANSACTION.get(kind, "other"))]


def _domain(node: Node, sql: str) -> list[Action]:
    checks = [
        c for c in node.get("constraints", ()) if c["Constraint"].get("contype") == "CONSTR_CHECK"
    ]
    return [
        Action(
            Act.CREATE_DOMAIN,
            name=_names(node.get("domainname")),
            constraint=ConstraintKind.CHECK if checks else None,
        )
    ]


def _alter_domain(node: Node, sql: str) -> list[Action]:
    adds = node.get("subtype") == "C"
    return [
        Action(
            Act.ALTER_DOMAIN,
            name=_names(node.get("typeName")),
            constraint=ConstraintKind.CHECK if adds else None,
            not_valid=adds and bool(node["def"]["Constraint"].get("skip_validation")),
        )
    ]


def _cluster(node: Node, sql: str) -> list[Action]:
    return [Action(Act.CLUSTER, table=_rel(node.get("relation")))]


def _enum(node: Node, sql: str) -> list[Action]:
    name = _names(node.get("typeName"))
    if node.get("newVal") is None:
        return [Action(Act.OTHER_DDL, name=name)]
    return [Action(Act.ADD_ENUM_VALUE, name=name, value=node["newVal"])]


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
    "DropdbStmt": lambda node, sql: [Action(Act.DROP_DATABASE, name=node.get("dbname"))],
    # Statements PostgreSQL refuses inside a transaction block: ``value`` names them.
    "CreatedbStmt": lambda node, sql: [
        Action(Act.OTHER_DDL, name=node.get("dbname"), value="create database")
    ],
    "AlterSystemStmt": lambda node, sql: [Action(Act.OTHER_DDL, value="alter system")],
    "CreateTableSpaceStmt": lambda node, sql: [
        Action(Act.OTHER_DDL, name=node.get("tablespacename"), value="create tablespace")
    ],
    "DropTableSpaceStmt": lambda node, sql: [
        Action(Act.OTHER_DDL, name=node.get("tablespacename"), value="drop tablespace")
    ],
    "ViewStmt": lambda node, sql: [Action(Act.CREATE_VIEW, table=_rel(node.get("view")))],
    "CreateFunctionStmt": lambda node, sql: [Action(Act.CREATE_ROUTINE)],
    "CreateTrigStmt": lambda node, sql: [
        Action(Act.CREATE_TRIGGER, table=_rel(node.get("relation")))
    ],
    "CreateTableAsStmt": lambda node, sql: [
        Action(Act.CREATE_TABLE, table=_rel(node["into"].get("rel")))
    ],
}
