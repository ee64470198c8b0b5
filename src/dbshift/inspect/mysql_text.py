"""Catalog text → the spelling ``inspect_mysql`` reports, where the two servers differ.

MariaDB 10.2.7+ already prints defaults as SQL expressions; MySQL 8 prints raw values and
says which ones are expressions. Views come back qualified with their own database, which
would tie a definition to the database it was inspected in. Routines have no single catalog
text, so one is composed from their columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Types whose raw MySQL default is already valid SQL as is (``1.50``, ``b'101'``).
_UNQUOTED_TYPES = frozenset(
    {
        "tinyint",
        "smallint",
        "mediumint",
        "int",
        "integer",
        "bigint",
        "decimal",
        "numeric",
        "float",
        "double",
        "real",
        "bit",
        "year",
    }
)

_CURRENT_TIMESTAMP = re.compile(
    r"(current_timestamp|now|localtime|localtimestamp)(\(\d*\))?", re.IGNORECASE
)

#: A string literal (either quote, ``''`` and backslash escapes) or a backquoted identifier
#: with the dot that may follow it: enough of MySQL's lexer to tell qualifiers from text.
_TOKEN = re.compile(
    r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|`(?:[^`]|``)*`\.?",
    re.DOTALL,
)


def quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def quote_literal(value: str) -> str:
    """Quoted the way MariaDB prints defaults (``'a\\\\b''c'``), under the default SQL mode."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def mysql_default(raw: str | None, data_type: str, extra: str) -> str | None:
    """A MySQL (or MariaDB < 10.2.7) raw ``COLUMN_DEFAULT`` as the expression MariaDB prints.

    MySQL 8 keeps ``NULL`` (no default) apart from the string ``'NULL'``; string values are
    raw and get quoted here; EXTRA ``DEFAULT_GENERATED`` (8.0.13+) marks an expression
    default, printed without the parentheses it must be written with. ``CURRENT_TIMESTAMP``
    is flagged DEFAULT_GENERATED on 8.0.13+ but not before, and is valid bare either way.
    """
    if raw is None:
        return None
    if data_type.lower() in ("timestamp", "datetime") and _CURRENT_TIMESTAMP.fullmatch(raw):
        return raw
    if "DEFAULT_GENERATED" in extra.upper():
        return f"({raw})"
    if data_type.lower() in _UNQUOTED_TYPES:
        return raw
    if data_type.lower() in ("binary", "varbinary") and raw.startswith("0x"):
        return raw  # MySQL 8.0 prints binary string defaults as hex literals.
    return quote_literal(raw)


def mariadb_default(printed: str | None) -> str | None:
    """MariaDB 10.2.7+ prints the unquoted word ``NULL`` for a NULL default."""
    return None if printed is None or printed == "NULL" else printed


def unqualify(definition: str, database: str) -> str:
    """``definition`` without the `` `database`. `` qualifier the server adds to every name.

    Both servers store a view's query with each table and column qualified by the view's
    own database (```shop`.`t`.`a```). Left in, a view inspected in a scratch database would
    never equal the same view in the target, and rendering it would point at the scratch
    database. Qualifiers naming other databases stay; string literals are left untouched.
    """
    prefix = quote_identifier(database) + "."
    if prefix not in definition:
        return definition
    return _TOKEN.sub(lambda m: "" if m.group() == prefix else m.group(), definition)


def typed(dtd: str | None, charset: str | None, collation: str | None, default: str) -> str:
    """A routine parameter's or result's type, with its collation where not the default."""
    if collation and collation != default:
        return f"{dtd} CHARSET {charset} COLLATE {collation}"
    return dtd or ""


def balanced(text: str, start: int) -> str | None:
    """``text`` from ``start`` up to the ``)`` that closes a ``(`` just before it, skipping
    quoted strings, identifiers and comments; None if it never closes."""
    depth, i = 1, start
    while i < len(text):
        token = _TOKEN.match(text, i) or _COMMENT.match(text, i)
        if token is not None:
            i = token.end()
            continue
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[start:i]
        i += 1
    return None


#: A comment (``-- …``, ``# …`` or ``/* … */``) inside a parameter list.
_COMMENT = re.compile(r"--[^\n]*|#[^\n]*|/\*.*?\*/", re.DOTALL)


def routine_definition(
    kind: str,
    name: str,
    parameters: str | Sequence[tuple[str | None, str, str]],
    returns: str | None,
    body: str | None,
    deterministic: str,
    data_access: str,
    security: str,
    comment: str | None,
) -> str:
    """A normalised ``CREATE FUNCTION|PROCEDURE`` from ROUTINES and PARAMETERS.

    Without the DEFINER (it names a login, not the schema) and with only the non-default
    characteristics, so that equal routines compare equal across servers and databases.
    ``parameters`` are (mode, name, type), a function's with no mode, or the list's text
    as written.
    """
    if isinstance(parameters, str):
        args = parameters
    else:
        args = ", ".join(
            " ".join(
                part
                for part in (mode if kind == "PROCEDURE" else None, quote_identifier(p), t)
                if part
            )
            for mode, p, t in parameters
        )
    parts = [f"CREATE {kind} {quote_identifier(name)}({args})"]
    if kind == "FUNCTION" and returns:
        parts.append(f"RETURNS {returns}")
    if deterministic == "YES":
        parts.append("DETERMINISTIC")
    if data_access and data_access != "CONTAINS SQL":
        parts.append(data_access)
    if security == "INVOKER":
        parts.append("SQL SECURITY INVOKER")
    if comment:
        parts.append(f"COMMENT {quote_literal(comment)}")
    # ROUTINE_DEFINITION is NULL for a user who is neither the definer nor has SHOW_ROUTINE
    # (MariaDB) / SHOW_ROUTINE or SELECT on mysql.* (MySQL 8).
    parts.append(body or "")
    return " ".join(parts).strip()
