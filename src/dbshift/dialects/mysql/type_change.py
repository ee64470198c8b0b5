"""Which column type changes InnoDB (MySQL, MariaDB) makes without copying the table: the
one place these facts live (the MySQL safety table, hence generate, diff, plan output and
lint, and the renderer's ALGORITHM clause).

Types are spelled as the catalogs print them (``format_type()`` on PostgreSQL,
``COLUMN_TYPE`` on MySQL/MariaDB), as everywhere in the model.

MySQL/MariaDB (InnoDB online DDL): a VARCHAR made longer within the same length-byte
class (both maxima under 256 bytes, or both 256 and over) is changed in place without a
rebuild (MySQL 5.7+; MariaDB 10.4+ even instantly, and across the class on its newer row
formats, which this does not count on); ENUM and SET members appended at the end are
instant while the storage size stays (MySQL 8.0, MariaDB 10.3+). Any other type change
copies the table (ALGORITHM=COPY).
"""

from __future__ import annotations

import re

from dbshift.frozen import frozen


@frozen
class MySQLChange:
    """How InnoDB makes a type change: ``rebuild`` False means no row is copied."""

    algorithm: str
    rebuild: bool
    why: str


_MY_VARCHAR = re.compile(r"(varchar|varbinary)\((\d+)\)")
_MY_MEMBERS = re.compile(r"(enum|set)\((.*)\)", re.S)
#: Bytes per character of a collation's character set (its name's prefix).
_MY_CHARSET_BYTES = (
    ("utf8mb4", 4),
    ("utf32", 4),
    ("utf16", 4),
    ("utf8mb3", 3),
    ("utf8", 3),
    ("ucs2", 2),
    ("big5", 2),
    ("gbk", 2),
    ("sjis", 2),
    ("ujis", 3),
    ("euckr", 2),
    ("gb2312", 2),
    ("cp932", 2),
    ("eucjpms", 3),
    ("gb18030", 4),
)


def _bytes_per_char(collation: str | None, kind: str) -> int:
    if kind == "varbinary":
        return 1
    if collation is None:
        return 4  # unknown: the widest, so a class boundary is never missed
    for prefix, size in _MY_CHARSET_BYTES:
        if collation.startswith(prefix + "_"):
            return size
    return 1


def _members(spelled: str) -> tuple[str, list[str]] | None:
    match = _MY_MEMBERS.fullmatch(spelled.strip())
    if match is None:
        return None
    body, members, i = match.group(2), [], 0
    while i < len(body):
        if body[i] != "'":
            i += 1
            continue
        j, value = i + 1, []
        while j < len(body):
            if body[j] == "'" and j + 1 < len(body) and body[j + 1] == "'":
                value.append("'")
                j += 2
            elif body[j] == "'":
                break
            else:
                value.append(body[j])
                j += 1
        members.append("".join(value))
        i = j + 1
    return match.group(1), members


def _member_bytes(kind: str, count: int) -> int:
    if kind == "enum":
        return 1 if count <= 255 else 2
    return {1: 1, 2: 2, 3: 3, 4: 4}.get((count + 7) // 8, 8)


def mysql_change(before: str, after: str, *, collation: str | None) -> MySQLChange:
    """What InnoDB does for ``MODIFY`` from ``before`` to ``after`` (same collation)."""
    copy = MySQLChange("COPY", rebuild=True, why="a changed type copies the table")
    if before == after:
        return MySQLChange("INSTANT", rebuild=False, why="the type is unchanged")
    old, new = _MY_VARCHAR.fullmatch(before), _MY_VARCHAR.fullmatch(after)
    if old is not None and new is not None and old.group(1) == new.group(1):
        size = _bytes_per_char(collation, old.group(1))
        old_bytes, new_bytes = int(old.group(2)) * size, int(new.group(2)) * size
        if new_bytes >= old_bytes and (old_bytes < 256) == (new_bytes < 256):
            return MySQLChange(
                "INPLACE",
                rebuild=False,
                why="a longer VARCHAR in the same length-byte class is changed in place",
            )
        return MySQLChange(
            "COPY",
            rebuild=True,
            why="a VARCHAR that shrinks or crosses 255 bytes (its length prefix grows) "
            "copies the table",
        )
    old_members, new_members = _members(before), _members(after)
    if old_members is not None and new_members is not None:
        kind, was = old_members
        if (
            kind == new_members[0]
            and new_members[1][: len(was)] == was
            and _member_bytes(kind, len(was)) == _member_bytes(kind, len(new_members[1]))
        ):
            return MySQLChange(
                "INSTANT",
                rebuild=False,
                why=f"{kind.upper()} members appended at the end are a metadata change",
            )
    return copy
