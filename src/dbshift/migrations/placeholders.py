"""``${name}`` placeholders in SQL migrations, Flyway's syntax.

Values come from the config's ``[placeholders]`` table (and ``[environments.NAME.placeholders]``)
and from ``DBSHIFT_PLACEHOLDER_<name>`` variables; see ``dbshift.config``. ``$${name}`` is the
escape: it becomes the literal text ``${name}``.

Substitution happens per statement, after splitting, so a value can never change where a
statement ends (a ``;`` inside a value stays inside its statement) and line numbers keep
pointing at the file as written. PostgreSQL dollar quoting is untouched: ``$$`` and
``$tag$`` are never followed by ``{``, and the splitter never sees an escape's ``$$``
(``protect`` hides it), so ``$${name}`` inside a ``$$ ... $$`` body does not end the body. Checksums stay over the file as written (what
Flyway does too), so one migration directory has one checksum in every environment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from dbshift.errors import MigrationFileError

_PLACEHOLDER = re.compile(r"(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


_ESCAPE = re.compile(r"\$\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def protect(text: str) -> str:
    """Hide each ``$${name}`` escape from the splitter (same length, no ``$$``)."""
    return _ESCAPE.sub(lambda m: "\x00${" + m.group(1) + "}", text)


def restore(sql: str) -> str:
    """Undo ``protect`` in one split statement."""
    return sql.replace("\x00${", "$${")


def substitute(sql: str, values: Mapping[str, str], *, path: str, line: int) -> str:
    """``sql`` with every ``${name}`` replaced; ``line`` is the line ``sql`` starts on.

    An undefined name is a ``file:line`` error naming where a value can come from.
    """
    if "${" not in sql:
        return sql

    def replace(match: re.Match[str]) -> str:
        escaped, name = match.group(1), match.group(2)
        if escaped:
            return "${" + name + "}"
        if name in values:
            return values[name]
        where = line + sql.count("\n", 0, match.start())
        raise MigrationFileError(
            path,
            f"undefined placeholder ${{{name}}}: set it in [placeholders] in the config or "
            f"as DBSHIFT_PLACEHOLDER_{name}, or write $${{{name}}} for the literal text",
            line=where,
        )

    return _PLACEHOLDER.sub(replace, sql)


def names_in(sql: str) -> list[str]:
    """The placeholder names ``sql`` uses (escaped ones excluded), in order."""
    return [m.group(2) for m in _PLACEHOLDER.finditer(sql) if not m.group(1)]


class NamesAsValues(Mapping[str, str]):
    """Every placeholder stands for its own name: ``${app_role}`` reads as ``app_role``.

    For the linter, which judges the statement's shape without an environment: a bare
    name parses wherever a placeholder usually stands (a table, schema or role name, a
    number's position), where ``${app_role}`` itself is a syntax error to every parser.
    """

    def __getitem__(self, key: str) -> str:
        return key

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0
