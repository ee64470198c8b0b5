"""Which rows an ``UPDATE`` or ``DELETE`` will touch, read from its text: the prior backup.

Bytebase's "prior backup": before a data migration changes rows, save those rows (not
the whole table), so they can be put back by primary key. The rows are selected with the
statement's own ``WHERE``, sliced verbatim from the statement's text (sqlglot's tokens
give the offsets) rather than re-rendered from a tree: a re-rendered condition could
differ from what the server will run (sqlglot turns ``$$x$$`` into ``'x'``, for one).

Only a plain single-table statement is read this way. A join (``UPDATE … FROM``,
``DELETE … USING``), a ``WITH``, a subquery in the condition (it may read a table an
earlier statement of the run changes) or a volatile function (``random()``: the rows it
picks now are not the rows it picks later) cannot be told from the text: the caller backs
up the whole table and says why. ``ORDER BY … LIMIT n`` is kept out of the selection: the
rows matching the condition are a superset of the rows the statement touches.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

if TYPE_CHECKING:
    from dbshift.dialects import Dialect

logging.getLogger("sqlglot").setLevel(logging.ERROR)

_VOLATILE = frozenset({"random", "rand", "uuid", "gen_random_uuid", "uuid_short", "randomblob"})
#: The parts a plain single-table statement may have.
_PLAIN = frozenset({"this", "where", "expressions", "returning", "order", "limit"})
_END = frozenset({"ORDER_BY", "LIMIT", "RETURNING", "SEMICOLON"})


@dataclass(frozen=True)
class RowSet:
    """The rows one statement touches: ``SELECT * FROM table [AS alias] WHERE where``."""

    schema: str | None
    table: str
    alias: str | None
    where: str
    #: Columns an UPDATE assigns (empty for DELETE): a key column among them means the
    #: rows move to another key, and an upsert by key could not put them back.
    assigns: tuple[str, ...]


@dataclass(frozen=True)
class Unreadable:
    """Why the rows cannot be told: the whole table is backed up instead."""

    reason: str


def rows_of(sql: str, dialect: Dialect) -> RowSet | Unreadable:
    """The rows an ``UPDATE``/``DELETE`` with a ``WHERE`` touches, or why it cannot tell."""
    read = dialect.sqlglot_name
    try:
        trees = [t for t in sqlglot.parse(sql, read=read) if t is not None]
    except (ParseError, TokenError):
        return Unreadable("the statement could not be parsed")
    if len(trees) != 1 or not isinstance(trees[0], exp.Update | exp.Delete):
        return Unreadable("not a single UPDATE or DELETE")
    tree = normalize_identifiers(trees[0], dialect=read)
    extra = sorted(k for k, v in tree.args.items() if v and k not in _PLAIN)
    if extra:
        words = ", ".join(k.rstrip("_").upper() for k in extra)
        return Unreadable(f"it has {words} (a join or a CTE)")
    target = tree.this
    if not isinstance(target, exp.Table) or not isinstance(target.this, exp.Identifier):
        return Unreadable("its target is not a plain table")
    if target.args.get("joins"):
        return Unreadable("it has JOIN (a join or a CTE)")
    where = tree.args.get("where")
    if where is None:
        return Unreadable("it has no WHERE")
    if where.find(exp.Select, exp.Subquery) is not None:
        return Unreadable("its WHERE has a subquery")
    for func in where.find_all(exp.Func):
        name = func.sql(dialect=read).split("(")[0].lower()
        if isinstance(func, exp.Rand) or name in _VOLATILE:
            return Unreadable(f"its WHERE calls {name}(), which picks other rows each time")
    text = _where_text(sql, read)
    if text is None:
        return Unreadable("its WHERE could not be located in the text")
    assigns: tuple[str, ...] = ()
    if isinstance(tree, exp.Update):
        assigns = tuple(
            e.this.name for e in tree.expressions if isinstance(e, exp.EQ) and e.this is not None
        )
    alias = target.alias or None
    return RowSet(
        schema=target.db or None, table=target.name, alias=alias, where=text, assigns=assigns
    )


def _where_text(sql: str, read: str) -> str | None:
    """The condition after the statement's top-level WHERE, as written."""
    tokens = sqlglot.Dialect.get_or_raise(read).tokenize(sql)
    depth = 0
    start: int | None = None
    for token in tokens:
        kind = token.token_type.name
        if kind == "L_PAREN":
            depth += 1
        elif kind == "R_PAREN":
            depth -= 1
        elif depth == 0 and start is None and kind == "WHERE":
            start = token.end + 1
        elif depth == 0 and start is not None and kind in _END:
            return sql[start : token.start].strip() or None
    return sql[start:].strip() or None if start is not None else None
