"""Destructive statements in pending migrations (or in the down sections ``rollback``
runs), and ``migrate``'s and ``rollback``'s confirmation of them.

What counts is what the linter's data-loss rules report: DROP TABLE, DROP COLUMN,
TRUNCATE, DELETE without WHERE, DROP DATABASE / SCHEMA, MySQL's DROP / TRUNCATE PARTITION; and a column-type-change finding
whose new type is narrower than the column's type in the live database (a statement
alone does not say what the type was; the catalog is read only when such a finding
exists). Reusing the rules (rather than matching statement text here) brings their two
judgements with them:

- a table created earlier in the same file holds nothing yet, so dropping it is not
  destructive (a table created by an earlier migration is: it may have served traffic
  between two ``migrate`` runs);
- ``-- dbshift:ignore drop-table <reason>`` (or ``column-type-change``) above a statement
  is the author's recorded confirmation, reviewed with the file, so ``migrate`` does not
  ask again.

On top, the live database is asked (``live_objects``): a drop of what does not exist
there, as the run will have left it (``DROP TABLE IF EXISTS`` of a missing table, or of a
table an earlier migration of the same run created), destroys nothing.

This lives in the CLI layer because the runner and the linter are siblings that may not
import each other; the runner calls back (``Session.migrate(confirm=...)``) under its
lock, before the first migration starts.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from dbshift.cli.live_objects import LiveCatalog, RunState
from dbshift.errors import ValidationFailed
from dbshift.frozen import frozen

if TYPE_CHECKING:
    from dbshift.dialects import Dialect
    from dbshift.lint.facts import Action
    from dbshift.lint.rule import Finding
    from dbshift.migrations.model import Migration
    from dbshift.model import Schema

#: Lint rules whose findings lose data. delete-without-where also reports UPDATE without
#: WHERE, which overwrites rather than loses rows: only its DELETE findings count.
RULES = frozenset(
    {
        "drop-table",
        "drop-column",
        "truncate",
        "delete-without-where",
        "drop-database",
        "drop-partition",
    }
)


#: The action kinds each rule's findings are about.
_RULE_ACTS = {
    "drop-table": frozenset({"drop_table"}),
    "drop-column": frozenset({"drop_column"}),
    "truncate": frozenset({"truncate"}),
    "delete-without-where": frozenset({"delete"}),
    "drop-database": frozenset({"drop_database", "drop_schema"}),
    "drop-partition": frozenset({"drop_partition"}),
}

#: Words every statement the rules above report contains (MySQL MODIFY/CHANGE are ALTERs;
#: RENAME TABLE can give a live table's rows a new name that a later DROP names).
_CANDIDATE = re.compile(r"\b(?:drop|truncate|delete|alter|rename)\b", re.I)


@frozen
class Destructive:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message} [{self.rule}]"


def find(
    migrations: list[Migration],
    dialect: Dialect,
    live: Callable[[], Schema] | None = None,
    *,
    down: bool = False,
    catalog: LiveCatalog | None = None,
) -> list[Destructive]:
    """Destructive statements in the up (``down``: down) sections of ``migrations``, in
    the order they would run (SQL files; a Python migration's effects cannot be read
    without running it). ``live`` reads the database's schema, for type narrowing;
    without it type changes are not judged. ``catalog``: drops of what does not exist
    in the live database, as the run will have left it, are not destructive."""
    from dbshift.migrations.model import Kind

    # Only files with a statement that could lose data are parsed and linted: 500 files of
    # CREATE TABLE would otherwise cost 0.5 s (mostly importing and running pglast).
    candidates = [
        m
        for m in migrations
        if m.kind is Kind.SQL
        and any(_CANDIDATE.search(s.sql) for s in m.section(down=down).statements)
    ]
    if not candidates:
        return []
    from dbshift.cli.lint_plan import server_for
    from dbshift.lint.engine import Linter
    from dbshift.lint.parse import ParseFailed, actions_for
    from dbshift.lint.rules import all_rules
    from dbshift.runner.executor import display_path

    # The live server where there is one (MariaDB is not MySQL 8.0 by another name).
    server = server_for(dialect, None, conn=catalog.conn if catalog is not None else None)
    linter = Linter(all_rules(), server)
    run = RunState(catalog) if catalog is not None else None
    out: list[Destructive] = []
    schema: list[Schema] = []  # read once, on the first type change
    for migration in candidates:
        path = display_path(migration.path)
        # As the loader read it: a MySQL dump's raw bytes in literals kept.
        text = migration.path.read_text(encoding="utf-8", errors="surrogateescape")
        findings: dict[int, list[Finding]] = {}
        for f in linter.lint_text(text, path, down=down)[0]:
            if f.rule in RULES or f.rule == "column-type-change":
                findings.setdefault(f.line, []).append(f)
        for statement in migration.section(down=down).statements:
            here = findings.get(statement.line, [])
            if not here and run is None:
                continue
            try:
                acts = actions_for(statement.sql, dialect)[0]
            except ParseFailed:
                acts = ()
            for f in here:
                if f.rule == "column-type-change":
                    if live is None:
                        continue
                    if not schema:
                        schema.append(live())
                    for a in acts:
                        message = _narrowed(a, schema[0], dialect)
                        if message is not None:
                            out.append(Destructive(path, f.line, f.rule, message))
                elif _destroys(f.rule, acts, run):
                    out.append(Destructive(path, f.line, f.rule, f.message))
            if run is not None:
                run.advance(acts)
    return list(dict.fromkeys(out))  # a rule may report one statement twice


def _destroys(rule: str, acts: tuple[Action, ...], run: RunState | None) -> bool:
    """Whether a finding of ``rule`` on a statement doing ``acts`` loses data.
    delete-without-where also reports UPDATE without WHERE, which overwrites rather than
    loses rows: only its DELETE findings count."""

    kinds = _RULE_ACTS[rule]
    relevant = [a for a in acts if a.act in kinds]
    if rule == "delete-without-where" and not relevant:
        return False
    if run is None or not relevant:
        return True
    return any(run.destroys(a) for a in relevant)


def _narrowed(action: Action, live: Schema, dialect: Dialect) -> str | None:
    from dbshift.lint.facts import Act

    fact = action.column
    if action.act is not Act.ALTER_TYPE or fact is None or fact.type is None:
        return None
    table = live.table(action.table or "")
    column = table.column(action.name or "") if table is not None else None
    if column is None:
        return None
    args = f"({', '.join(map(str, fact.type_args))})" if fact.type_args else ""
    if not narrows(column.type, fact.type + args, dialect):
        return None
    return (
        f"column {action.name} of {action.table} narrowed from {column.type} to {fact.type}{args}"
    )


def confirm(
    migrations: list[Migration],
    dialect: Dialect,
    *,
    allowed: bool,
    live: Callable[[], Schema] | None = None,
    down: bool = False,
    catalog: LiveCatalog | None = None,
) -> None:
    """Ask on a terminal; refuse (exit 1) when nobody can be asked. ``allowed``:
    ``--allow-destructive`` was given. ``down``: the migrations are being rolled back."""
    if allowed:
        return
    found = find(migrations, dialect, live, down=down, catalog=catalog)
    if not found:
        return
    for item in found:
        print(f"destructive: {item}", file=sys.stderr)
    verb, command, done = (
        ("revert", "rollback", "reverted") if down else ("apply", "migrate", "applied")
    )
    if sys.stdin.isatty():
        print(
            f"{verb} {len(found)} destructive statement(s)? [y/N] ",
            end="",
            file=sys.stderr,
            flush=True,
        )
        if sys.stdin.readline().strip().lower() in ("y", "yes"):
            return
        raise ValidationFailed(f"not confirmed: nothing was {done}")
    first = found[0]
    raise ValidationFailed(
        f"{first.path}:{first.line}: refusing {len(found)} destructive statement(s) "
        f"without confirmation (listed above): review them, then run 'dbshift {command} "
        "--allow-destructive', or confirm each in the file with "
        "'-- dbshift:ignore RULE reason'"
    )


# -- type narrowing ------------------------------------------------------------------------

_TYPE = re.compile(
    r"^([a-z][a-z0-9 ]*?)\s*(?:\((\d+)(?:\s*,\s*(\d+))?\))?(?:\s+(?:unsigned|zerofill))*$"
)
#: Integer types by bytes (PostgreSQL catalog and parser names, MySQL names).
_INT = {
    "tinyint": 1,
    "smallint": 2,
    "int2": 2,
    "mediumint": 3,
    "integer": 4,
    "int": 4,
    "int4": 4,
    "bigint": 8,
    "int8": 8,
}
_FLOAT = {"real": 4, "float4": 4, "float": 4, "double precision": 8, "float8": 8, "double": 8}
#: String types, bounded by their argument; these without one by their maximum.
_BOUNDED = {"character varying", "varchar", "character", "char", "bpchar", "nvarchar", "nchar"}
#: MySQL text types by maximum bytes (PostgreSQL text is unbounded).
_TEXT = {"tinytext": 255, "text": 65_535, "mediumtext": 2**24 - 1, "longtext": 2**32 - 1}
_NUMERIC = {"numeric", "decimal"}
_UNBOUNDED = float("inf")


def narrows(old: str, new: str, dialect: Dialect) -> bool:
    """Whether values of type ``old`` may not fit ``new``: a shorter string, fewer integer
    or fraction digits, fewer bytes, or a fraction dropped. Types of different kinds
    (text to integer, ...) are not judged: the server refuses or converts every row."""
    a, b = _kind(old, dialect), _kind(new, dialect)
    if a is None or b is None:
        return False
    (kind_a, size_a, scale_a), (kind_b, size_b, scale_b) = a, b
    if kind_a in ("numeric", "float") and kind_b == "int":
        return True
    if kind_a != kind_b:
        return False
    if kind_a == "numeric":  # size: digits before the point, scale: after
        return size_b < size_a or scale_b < scale_a
    return size_b < size_a


def _kind(text: str, dialect: Dialect) -> tuple[str, float, float] | None:
    match = _TYPE.match(text.strip().lower())
    if match is None:
        return None
    name, first, second = match.group(1), match.group(2), match.group(3)
    if name in _INT:
        return "int", _INT[name], 0
    if name in _FLOAT:
        return "float", _FLOAT[name], 0
    if name == "text" and dialect.text_is_unbounded:
        return "string", _UNBOUNDED, 0
    if name in _TEXT:
        return "string", _TEXT[name], 0
    if name in _BOUNDED:
        if first is not None:
            return "string", int(first), 0
        is_char = name in ("character", "char", "bpchar", "nchar")
        return "string", 1 if is_char else _UNBOUNDED, 0
    if name in _NUMERIC:
        if first is None:  # PostgreSQL: any precision; MySQL: DECIMAL(10, 0)
            return (
                ("numeric", _UNBOUNDED, _UNBOUNDED)
                if name == "numeric"
                else (
                    "numeric",
                    10,
                    0,
                )
            )
        precision, scale = int(first), int(second or 0)
        return "numeric", precision - scale, scale
    return None
