"""MySQL/MariaDB and SQLite statements to facts, through sqlglot.

sqlglot parses the DDL lint needs into typed trees. What it leaves as an opaque ``Command``
(``RENAME TABLE``, ``CREATE FULLTEXT INDEX``, ``ALTER TABLE ... CONVERT TO CHARACTER SET``,
trigger bodies) is classified from its leading words instead, so no statement is silently
skipped. The tree's spelling of names is kept: MySQL compares table names by the server's
``lower_case_table_names``, which lint cannot know, so names are lower-cased for matching.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from dbshift.inspect.sqlite_ddl import tokens, with_types_quoted
from dbshift.lint.facts import Act, Action, ColumnFact, ConstraintKind
from dbshift.lint.parse import ParseFailed

if TYPE_CHECKING:
    from dbshift.dialects import Dialect

# sqlglot logs a warning for every statement it falls back to a Command on; those are
# handled below, so the warnings are noise in a lint report.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_WORDS = re.compile(r"[`\"\[]?([A-Za-z_][\w$]*)[`\"\]]?")

_ALGORITHM = re.compile(r"\bALGORITHM\s*=?\s*(\w+)", re.I)
_LOCK = re.compile(r"\bLOCK\s*=?\s*(\w+)", re.I)
_TX_VERB = re.compile(r"(?:\s+|--[^\n]*\n?|/\*.*?\*/)*(END|SAVEPOINT|RELEASE)\b", re.I | re.S)

Options = tuple[tuple[Action, ...], str | None, str | None]
#: SQLite's CREATE VIRTUAL TABLE [IF NOT EXISTS] name USING module(args): a new table.
_VIRTUAL_TABLE = re.compile(
    r"(?:\s+|--[^\n]*\n?|/\*.*?\*/)*CREATE\s+VIRTUAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(.*?)\s*\bUSING\b",
    re.I | re.S,
)

_NAME = r"(?:`(?:[^`]|``)*`|[\w$]+)"
#: ``CREATE [OR REPLACE] [DEFINER = account] [AGGREGATE] FUNCTION|PROCEDURE|TRIGGER``, as
#: MySQL writes them (mysqldump's ``/*!50003 CREATE*/ /*!50017 DEFINER=…*/ /*!50003``
#: pieces included).
_ACCOUNT_PART = r"(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[\w$.%-]+)"
_ROUTINE_HEAD = re.compile(
    r"(?:\s+|--[^\n]*\n?|/\*(?!!).*?\*/|/\*!\d*|\*/)*CREATE"
    r"(?:\s+|/\*!\d*|\*/)+(?:OR\s+REPLACE\s+)?"
    rf"(?:DEFINER\s*=\s*(?:CURRENT_USER(?:\s*\(\s*\))?|{_ACCOUNT_PART}(?:\s*@\s*{_ACCOUNT_PART})?)"
    r"(?:\s+|/\*!\d*|\*/)+)?(?:AGGREGATE\s+)?(FUNCTION|PROCEDURE|TRIGGER)\b",
    re.I | re.S,
)
#: MySQL/MariaDB partition maintenance that loses rows; sqlglot (30) fails on DROP
#: PARTITION and reads TRUNCATE PARTITION as an opaque Command.
_PARTITION_DROP = re.compile(
    rf"\s*ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:{_NAME}\s*\.\s*)?({_NAME})\s+"
    rf"(DROP|TRUNCATE)\s+PARTITION\s+({_NAME}(?:\s*,\s*{_NAME})*)\s*;?\s*$",
    re.I | re.S,
)


def actions_and_options(sql: str, dialect: Dialect) -> Options:
    verb = _TX_VERB.match(sql)
    if verb is not None:
        # sqlglot 30 reads END / SAVEPOINT x / RELEASE x as a column with an alias;
        # SQLite's END [TRANSACTION] is COMMIT.
        word = verb.group(1).lower()
        return (Action(Act.TRANSACTION, name="commit" if word == "end" else word),), None, None
    virtual = _VIRTUAL_TABLE.match(sql)  # SQLite: module arguments sqlglot (30) cannot read
    if virtual is not None:
        parts = [t for t in tokens(virtual.group(1)) if t.kind != "punct"]  # [schema.]name
        name = parts[-1].name.lower() if parts else ""
        return (Action(Act.CREATE_TABLE, table=name),), None, None
    dropped = _PARTITION_DROP.match(sql)  # MySQL's syntax: no other server has it
    if dropped is not None:
        action = Action(
            Act.DROP_PARTITION,
            table=_unquoted(dropped.group(1)),
            name=", ".join(_unquoted(n) for n in re.findall(_NAME, dropped.group(3))),
            value=dropped.group(2).lower(),
        )
        return (action,), None, None
    try:
        trees = sqlglot.parse(sql, read=dialect.sqlglot_name)
    except (ParseError, TokenError) as exc:
        routine = _ROUTINE_HEAD.match(sql)
        if routine is not None:
            # sqlglot (30) fails on much of a MySQL routine (UNSIGNED parameters, REPEAT,
            # labels, handlers) whose body no rule judges: what it creates is enough.
            made = routine.group(1).upper()
            act = Act.CREATE_TRIGGER if made == "TRIGGER" else Act.CREATE_ROUTINE
            return (Action(act),), None, None
        # sqlglot (30) fails on much of MySQL's PARTITION BY clause (MAXVALUE, LIST
        # COLUMNS, partition COMMENTs), which says nothing lint judges: the table without it.
        head = _without_partitioning(sql)
        if head is None and dialect.type_names_are_free_form:
            head = with_types_quoted(sql)
        if head is None:
            raise ParseFailed(_first_line(str(exc))) from None
        try:
            trees = sqlglot.parse(head, read=dialect.sqlglot_name)
        except (ParseError, TokenError):
            raise ParseFailed(_first_line(str(exc))) from None
    out: list[Action] = []
    algorithm = lock = None
    for tree in trees:
        if tree is None:
            continue
        # ALTER TABLE ..., ALGORITHM=x, LOCK=y and CREATE INDEX ... ALGORITHM=x LOCK=y
        for option in tree.find_all(exp.AlgorithmProperty, exp.LockProperty):
            if isinstance(option, exp.AlgorithmProperty):
                algorithm = option.name.lower()
            else:
                lock = option.name.lower()
        if isinstance(tree, exp.Command):
            text = tree.sql()
            found = _ALGORITHM.search(text)
            algorithm = found.group(1).lower() if found else algorithm
            found = _LOCK.search(text)
            lock = found.group(1).lower() if found else lock
        out.extend(_tree(tree))
    return tuple(_with_volatility(a, dialect) for a in out), algorithm, lock


def _with_volatility(action: Action, dialect: Dialect) -> Action:
    """``action`` with its column's default judged by the dialect's one list of per-call
    functions (``Dialect.volatile_functions``)."""
    column = action.column
    if column is None or not column.default:
        return action
    volatile = dialect.volatile_default(column.default)
    return replace(action, column=replace(column, volatile_default=volatile))


_PARTITION_BY = re.compile(r"PARTITION\s+BY\b", re.I)


def _without_partitioning(sql: str) -> str | None:
    """``sql`` up to its PARTITION BY clause outside parentheses, quotes and comments,
    or None where it has none."""
    depth, i, quote = 0, 0, ""
    while i < len(sql):
        c = sql[i]
        if quote:
            if c == "\\" and quote != "`":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"`":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif (
            depth == 0
            and c in "pP"
            and _PARTITION_BY.match(sql, i)
            and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_"))
        ):
            return sql[:i]
        i += 1
    return None


def _unquoted(name: str) -> str:
    """A name as the tree spells it: backquotes gone, lower-cased (see the module doc)."""
    if name.startswith("`"):
        name = name[1:-1].replace("``", "`")
    return name.lower()


def _first_line(text: str) -> str:
    return " ".join(text.split("\n")[0].split())


def _name(node: Any) -> str | None:
    if node is None:
        return None
    return str(node.name).lower() if isinstance(node, exp.Expression) else str(node).lower()


def _tree(tree: exp.Expr) -> list[Action]:
    if isinstance(tree, exp.Alter):
        return _alter(tree)
    if isinstance(tree, exp.Create):
        return _create(tree)
    if isinstance(tree, exp.Drop):
        return _drop(tree)
    if isinstance(tree, exp.Delete):
        restricted = tree.args.get("where") is not None or bool(tree.args.get("using"))
        return [Action(Act.DELETE, table=_name(tree.this), has_where=restricted)]
    if isinstance(tree, exp.Update):
        restricted = tree.args.get("where") is not None or tree.args.get("from") is not None
        return [Action(Act.UPDATE, table=_name(tree.this), has_where=restricted)]
    if isinstance(tree, exp.Insert):
        table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        # has_where: INSERT ... SELECT (reads rows), not INSERT ... VALUES.
        query = tree.expression is not None and not isinstance(tree.expression, exp.Values)
        return [Action(Act.INSERT, table=_name(table), has_where=query)]
    if isinstance(tree, exp.TruncateTable):
        return [Action(Act.TRUNCATE, table=_name(t)) for t in tree.expressions]
    if isinstance(tree, exp.Set):
        return [_set(item) for item in tree.expressions]
    if isinstance(tree, exp.Transaction):
        return [Action(Act.TRANSACTION, name="begin")]
    if isinstance(tree, exp.Commit):
        return [Action(Act.TRANSACTION, name="commit")]
    if isinstance(tree, exp.Rollback):
        # ROLLBACK TO SAVEPOINT keeps the transaction open.
        to = tree.args.get("savepoint") is not None
        return [Action(Act.TRANSACTION, name="rollback to" if to else "rollback")]
    if isinstance(tree, exp.Select | exp.Union):
        return [Action(Act.SELECT)]
    if isinstance(tree, exp.Pragma):
        return [Action(Act.SET, name=_pragma_name(tree), value=tree.sql())]
    if isinstance(tree, exp.Block):
        return [a for part in tree.expressions for a in _tree(part)]
    if isinstance(tree, exp.Command):
        return _command(tree)
    if isinstance(tree, exp.EndStatement):
        return []
    return [Action(Act.OTHER)]


def _pragma_name(tree: exp.Pragma) -> str:
    inner = tree.this
    target = inner.this if isinstance(inner, exp.EQ) else inner
    return f"pragma {_name(target) or ''}".strip()


def _set(item: exp.Expression) -> Action:
    target = item.this
    if isinstance(target, exp.EQ):
        name = _name(target.this) or ""
        return Action(Act.SET, name=name, value=target.expression.sql())
    return Action(Act.SET, name=item.sql().lower())


def _default_text(value: exp.Expression | None) -> str:
    """A DEFAULT's text. sqlglot 30 cannot print an empty blob literal (SQLite's
    ``DEFAULT x''``: its generator reads the hex digits as an integer and raises)."""
    if value is None:
        return ""
    try:
        return value.sql()
    except ValueError:
        return f"X'{value.name}'" if isinstance(value, exp.HexString) else value.name


def _column(coldef: exp.ColumnDef) -> ColumnFact:
    kind = coldef.args.get("kind")
    type_name = type_args = None
    if isinstance(kind, exp.DataType):
        type_name = kind.sql("mysql").split("(")[0].lower()
        type_args = tuple(int(arg.name) for arg in kind.expressions if arg.name.isdigit())
    facts: dict[str, Any] = {}
    for con in coldef.args.get("constraints") or ():
        kind_node = con.args.get("kind")
        if isinstance(kind_node, exp.NotNullColumnConstraint):
            facts["not_null"] = not kind_node.args.get("allow_null")
        elif isinstance(kind_node, exp.DefaultColumnConstraint):
            text = _default_text(kind_node.this)
            facts["default"] = text  # volatile_default: from the dialect's list, below
        elif isinstance(kind_node, exp.AutoIncrementColumnConstraint):
            facts["auto_increment"] = True
        elif isinstance(kind_node, exp.PrimaryKeyColumnConstraint):
            facts["primary_key"] = facts["not_null"] = True
        elif isinstance(kind_node, exp.UniqueColumnConstraint):
            facts["unique"] = True
        elif isinstance(kind_node, exp.Reference):
            facts["references"] = True
        elif isinstance(kind_node, exp.ComputedColumnConstraint):
            facts["generated_stored"] = bool(kind_node.args.get("persisted"))
        elif isinstance(kind_node, exp.GeneratedAsIdentityColumnConstraint):
            facts["identity"] = True
    position = coldef.args.get("position")
    return ColumnFact(
        name=coldef.name.lower(),
        type=type_name,
        type_args=type_args or (),
        positioned=position is not None,
        **facts,
    )


def _alter(tree: exp.Alter) -> list[Action]:
    table = _name(tree.this)
    out: list[Action] = []
    for action in tree.args.get("actions") or ():
        out.extend(_alter_action(action, table))
    for option in tree.args.get("options") or ():
        if not isinstance(option, exp.AlgorithmProperty | exp.LockProperty):
            out.append(Action(Act.TABLE_OPTION, table=table, name=option.key, value=option.sql()))
    return out


def _alter_action(action: exp.Expression, table: str | None) -> list[Action]:
    if isinstance(action, exp.ColumnDef):
        return [Action(Act.ADD_COLUMN, table=table, column=_column(action))]
    if isinstance(action, exp.Drop):
        kind = (action.args.get("kind") or "").upper()
        names = [_name(t) for t in action.expressions or action.args.get("tables") or ()]
        if kind == "COLUMN":
            return [Action(Act.DROP_COLUMN, table=table, name=n) for n in names]
        if kind in {"INDEX", "KEY"}:
            return [Action(Act.DROP_INDEX, table=table, name=n) for n in names]
        return [Action(Act.DROP_CONSTRAINT, table=table, name=n, value=kind) for n in names]
    if isinstance(action, exp.DropPrimaryKey):
        return [Action(Act.DROP_CONSTRAINT, table=table, constraint=ConstraintKind.PRIMARY_KEY)]
    if isinstance(action, exp.RenameColumn):
        return [
            Action(
                Act.RENAME_COLUMN,
                table=table,
                name=_name(action.this),
                new_name=_name(action.args.get("to")),
            )
        ]
    if isinstance(action, exp.AlterRename):
        return [Action(Act.RENAME_TABLE, table=table, new_name=_name(action.this))]
    if isinstance(action, exp.ModifyColumn):
        return _modify(action, table)
    if isinstance(action, exp.AlterColumn):
        return [_alter_column(action, table)]
    if isinstance(action, exp.AddConstraint):
        return [_add_constraint(e, table) for e in action.expressions]
    return [Action(Act.OTHER_DDL, table=table, value=action.sql())]


def _modify(action: exp.ModifyColumn, table: str | None) -> list[Action]:
    """MySQL ``MODIFY``/``CHANGE`` restate the whole column: a type (maybe unchanged, lint
    cannot know without the catalog), nullability and default at once."""
    column = _column(action.this)
    out = []
    old = action.args.get("rename_from")
    if old is not None and _name(old) != column.name:
        out.append(Action(Act.RENAME_COLUMN, table=table, name=_name(old), new_name=column.name))
    out.append(Action(Act.ALTER_TYPE, table=table, name=column.name, column=column))
    if column.not_null:
        out.append(Action(Act.SET_NOT_NULL, table=table, name=column.name))
    elif not column.primary_key:
        # A restated column without NOT NULL is nullable afterwards, whatever it was:
        # ``value`` is "null" when NULL is written out, None when NOT NULL was just left off.
        explicit = any(
            isinstance(c.args.get("kind"), exp.NotNullColumnConstraint)
            for c in action.this.args.get("constraints") or ()
        )
        out.append(
            Action(
                Act.DROP_NOT_NULL, table=table, name=column.name, value="null" if explicit else None
            )
        )
    return out


def _alter_column(action: exp.AlterColumn, table: str | None) -> Action:
    name = _name(action.this)
    if action.args.get("dtype") is not None:
        dtype = action.args["dtype"]
        fact = ColumnFact(name=name or "", type=dtype.sql("mysql").split("(")[0].lower())
        return Action(Act.ALTER_TYPE, table=table, name=name, column=fact)
    if action.args.get("drop"):
        return Action(Act.DROP_DEFAULT, table=table, name=name)
    if action.args.get("default") is not None:
        return Action(Act.SET_DEFAULT, table=table, name=name, value=action.args["default"].sql())
    allow_null = action.args.get("allow_null")
    if allow_null is not None:
        return Action(Act.DROP_NOT_NULL if allow_null else Act.SET_NOT_NULL, table=table, name=name)
    return Action(Act.OTHER_DDL, table=table, name=name, value=action.sql())


def _add_constraint(node: exp.Expression, table: str | None) -> Action:
    if isinstance(node, exp.IndexColumnConstraint):
        kind = (node.args.get("kind") or "").lower() or None
        return Action(Act.CREATE_INDEX, table=table, name=_name(node.this), index_kind=kind)
    name = _name(node.this) if isinstance(node, exp.Constraint) else None
    body = node.expressions if isinstance(node, exp.Constraint) else [node]
    for part in body:
        kind = _constraint_kind(part)
        if kind is not None:
            ref = part.find(exp.Reference) if kind is ConstraintKind.FOREIGN_KEY else None
            target = (
                _name(ref.this.this if isinstance(ref.this, exp.Schema) else ref.this)
                if ref
                else None
            )
            return Action(
                Act.ADD_CONSTRAINT, table=table, name=name, constraint=kind, references=target
            )
    return Action(Act.ADD_CONSTRAINT, table=table, name=name)


def _constraint_kind(node: exp.Expression) -> ConstraintKind | None:
    if isinstance(node, exp.ForeignKey):
        return ConstraintKind.FOREIGN_KEY
    if isinstance(node, exp.PrimaryKey | exp.PrimaryKeyColumnConstraint):
        return ConstraintKind.PRIMARY_KEY
    if isinstance(node, exp.UniqueColumnConstraint):
        return ConstraintKind.UNIQUE
    if isinstance(node, exp.CheckColumnConstraint):
        return ConstraintKind.CHECK
    return None


def _create(tree: exp.Create) -> list[Action]:
    kind = (tree.args.get("kind") or "").upper()
    if kind == "TABLE":
        schema = tree.this
        table = _name(schema.this if isinstance(schema, exp.Schema) else schema)
        out = [Action(Act.CREATE_TABLE, table=table)]
        if isinstance(schema, exp.Schema):
            for col in schema.expressions:
                if isinstance(col, exp.ColumnDef):
                    out.append(Action(Act.ADD_COLUMN, table=table, column=_column(col)))
        return out
    if kind == "INDEX":
        index = tree.this
        return [
            Action(
                Act.CREATE_INDEX,
                table=_name(index.args.get("table")),
                name=_name(index.this),
                unique=bool(tree.args.get("unique")),
            )
        ]
    if kind == "VIEW":
        return [Action(Act.CREATE_VIEW, table=_name(tree.this))]
    if kind in {"FUNCTION", "PROCEDURE"}:
        return [Action(Act.CREATE_ROUTINE)]
    if kind == "TRIGGER":
        return [Action(Act.CREATE_TRIGGER)]
    return [Action(Act.OTHER_DDL, value=kind.lower())]


def _drop(tree: exp.Drop) -> list[Action]:
    kind = (tree.args.get("kind") or "").upper()
    names = [_name(t) for t in tree.args.get("tables") or [tree.this] if t is not None]
    cascade = bool(tree.args.get("cascade"))
    if kind == "TABLE":
        tables = [t for t in tree.args.get("tables") or [tree.this] if t is not None]
        return [
            Action(Act.DROP_TABLE, table=_name(t), cascade=cascade, schema=_name(t.args.get("db")))
            for t in tables
        ]
    if kind == "INDEX":
        cluster = tree.args.get("cluster")
        table = _name(cluster.this) if cluster is not None else None
        return [Action(Act.DROP_INDEX, table=table, name=n) for n in names]
    if kind in {"DATABASE", "SCHEMA"}:
        # sqlglot puts DROP SCHEMA's name in the table's ``db`` slot.
        objects = [t for t in tree.args.get("tables") or [tree.this] if t is not None]
        names = [_name(t) or _name(t.args.get("db")) for t in objects]
        return [Action(Act.DROP_DATABASE, name=n) for n in names]
    return [Action(Act.OTHER_DDL, name=n, value=kind.lower()) for n in names]


def _command(tree: exp.Command) -> list[Action]:
    """Statements sqlglot does not model, classified by their leading words."""
    text = f"{tree.this} {tree.expression.sql() if isinstance(tree.expression, exp.Expression) else tree.args.get('expression') or ''}"
    words = [w.lower() for w in _WORDS.findall(text.replace("'", " "))[:12]]
    head = " ".join(words[:3])
    if words[:2] == ["rename", "table"]:
        pairs = re.findall(r"([`\"\w$.]+)\s+to\s+([`\"\w$.]+)", text, re.I)
        return [
            Action(Act.RENAME_TABLE, table=_bare(old), new_name=_bare(new)) for old, new in pairs
        ]
    if words[:1] == ["create"] and "index" in words[:4]:
        kind = next((w for w in words[1:3] if w in {"fulltext", "spatial"}), None)
        at = words.index("on") + 1 if "on" in words else None
        return [
            Action(
                Act.CREATE_INDEX,
                table=words[at] if at is not None and at < len(words) else None,
                name=words[words.index("index") + 1]
                if len(words) > words.index("index") + 1
                else None,
                index_kind=kind,
                unique="unique" in words[:3],
            )
        ]
    if head.startswith("alter table") and len(words) > 2:
        if "check" in words and "add" in words and words.index("add") < words.index("check"):
            # ADD [CONSTRAINT name] CHECK (...): sqlglot 30 models only the named form.
            named = words[words.index("add") + 1] == "constraint"
            return [
                Action(
                    Act.ADD_CONSTRAINT,
                    table=words[2],
                    name=words[words.index("add") + 2] if named else None,
                    constraint=ConstraintKind.CHECK,
                )
            ]
        if "convert" in words:
            return [Action(Act.TABLE_OPTION, table=words[2], name="convert", value=text)]
        return [Action(Act.OTHER_DDL, table=words[2], value=text)]
    if words[:1] == ["create"] and "trigger" in words[:3]:
        return [Action(Act.CREATE_TRIGGER)]
    if words[:1] in (["create"], ["alter"], ["drop"]):
        return [Action(Act.OTHER_DDL, value=head)]
    if words[:1] == ["optimize"]:
        return [Action(Act.VACUUM, table=words[2] if len(words) > 2 else None, value="full")]
    if words[:1] == ["vacuum"]:
        return [Action(Act.VACUUM, value="full")]
    return [Action(Act.OTHER, value=head)]


def _bare(name: str) -> str:
    return name.split(".")[-1].strip('`"').lower()
