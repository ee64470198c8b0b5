"""Identifiers longer than the server keeps.

PostgreSQL silently truncates every identifier to 63 bytes (NAMEDATALEN - 1), with only a
NOTICE: the object gets a name other than the one written, two long names that differ
after byte 63 collide, and tools comparing names with the migration's text (dbshift diff
among them) see a different object. MySQL and MariaDB refuse identifiers over 64
characters ("Identifier name ... is too long"), so the migration fails half-way: the DDL
before it has already committed. Both are errors.

The names are read from the statement's tokens, not its parse tree: PostgreSQL's parser
(and so pglast) has already truncated them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity

#: PostgreSQL: NAMEDATALEN - 1 bytes. MySQL/MariaDB: 64 characters.
PG_MAX_BYTES = 63
MYSQL_MAX_CHARS = 64
#: An ASCII statement can only hold a PostgreSQL identifier over 63 bytes where 64
#: identifier characters (or 64 inside double quotes) follow one another: statements
#: without such a run skip the tokenizer, which cost more than the parse.
_PG_MAYBE_LONG = re.compile(r'[\w$]{64}|"(?:[^"]|""){64}')


class IdentifierTooLong(Rule):
    id = "identifier-too-long"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect)
    summary = "identifier longer than the server keeps (PostgreSQL 63 bytes, MySQL 64 chars)"
    squawk = ("identifier-too-long",)

    def check_statement(self, stmt: Stmt, ctx: FileContext) -> Iterator[Finding]:
        if not stmt.is_ddl:
            return
        seen: set[str] = set()
        if ctx.dialect.identifier_limit_in_bytes:  # PostgreSQL truncates, silently
            if stmt.sql.isascii() and not _PG_MAYBE_LONG.search(stmt.sql):
                return
            for name in _postgresql_identifiers(stmt.sql):
                size = len(name.encode("utf-8"))
                if size > PG_MAX_BYTES and name not in seen:
                    seen.add(name)
                    yield self.found(
                        stmt,
                        f'identifier "{name}" is {size} bytes',
                        why=f"PostgreSQL silently truncates it to {PG_MAX_BYTES} bytes "
                        f'("{_truncate(name)}"): the object is created under another name, '
                        "and names that differ only after that collide",
                        fix=f"use a name of at most {PG_MAX_BYTES} bytes",
                    )
            return
        for name in _mysql_identifiers(stmt.sql):
            if len(name) > MYSQL_MAX_CHARS and name not in seen:
                seen.add(name)
                yield self.found(
                    stmt,
                    f"identifier `{name}` is {len(name)} characters",
                    why=f"{ctx.server} refuses identifiers over {MYSQL_MAX_CHARS} characters: "
                    "the statement fails, after the migration's earlier DDL has already "
                    "committed",
                    fix=f"use a name of at most {MYSQL_MAX_CHARS} characters",
                )


def _postgresql_identifiers(sql: str) -> Iterator[str]:
    import pglast.parser

    try:
        tokens = pglast.parser.scan(sql)
    except pglast.parser.ParseError:
        return
    for token in tokens:
        if token.name != "IDENT":
            continue
        # pglast gives character offsets (libpg_query's byte offsets converted).
        text = sql[token.start : token.end + 1]
        if text.startswith('"'):
            yield text[1:-1].replace('""', '"')
        else:
            yield text.lower()


def _mysql_identifiers(sql: str) -> Iterator[str]:
    from sqlglot import TokenType
    from sqlglot.dialects.mysql import MySQL
    from sqlglot.errors import TokenError

    try:
        tokens = MySQL().tokenize(sql)
    except TokenError:
        return
    for token in tokens:
        if token.token_type in {TokenType.VAR, TokenType.IDENTIFIER}:
            yield token.text


def _truncate(name: str) -> str:
    return name.encode("utf-8")[:PG_MAX_BYTES].decode("utf-8", errors="ignore")
