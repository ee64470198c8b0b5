"""goose: ``<version>_<name>.sql`` with ``-- +goose Up`` / ``-- +goose Down`` sections;
history ``goose_db_version`` (a row per apply and per rollback: ``version_id``,
``is_applied``; the newest row of a version says whether it is applied).

``-- +goose NO TRANSACTION`` becomes ``-- dbshift:no-transaction``. A ``-- +goose
StatementBegin`` … ``StatementEnd`` block is one statement in goose: dbshift's splitter
already keeps PostgreSQL dollar-quoted and SQLite trigger bodies whole, and on a server
whose client splits with ``DELIMITER`` the block is fenced with one. Go migrations
(``.go``) and ``-- +goose ENVSUB ON`` (environment substitution) are refused by name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import MigrationFileError, Unsupported
from dbshift.importers.model import (
    Applied,
    Imported,
    one_file_per_version,
    read_text,
)
from dbshift.importers.tables import read_table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

TOOL = "goose"
TABLE = "goose_db_version"
_FILE = re.compile(r"^(?P<version>\d+)(?:_(?P<name>.*))?\.(?P<ext>sql|go)$")
_ANNOTATION = re.compile(r"^--\s*\+goose\s+(?P<what>.+?)\s*$", re.IGNORECASE)
#: The fence put around a StatementBegin block for a client that splits with DELIMITER.
_FENCE = "$$"


def read(source: Path, dialect: Dialect) -> Imported:
    fence = dialect.client_syntax.delimiter_command
    return one_file_per_version(
        source,
        TOOL,
        _FILE,
        lambda path: _sections(path, fence=fence),
        key=lambda match: str(int(match.group("version"))),
        refuse=_refuse_go,
    )


def _refuse_go(path: Path, match: re.Match[str]) -> None:
    if match.group("ext") == "go":
        raise Unsupported(f"{path}: goose Go migrations are not supported yet")


def _sections(path: Path, *, fence: bool) -> tuple[str, str | None, bool]:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    transactional = True
    block: int | None = None  # the line of an open StatementBegin
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        match = _ANNOTATION.match(line.strip())
        if match is None:
            if current is not None:
                sections[current].append(line)
            continue
        what = " ".join(match.group("what").upper().split())
        if what in ("UP", "DOWN"):
            if block is not None:
                raise MigrationFileError(
                    str(path), "StatementBegin without StatementEnd", line=block
                )
            current = what.lower()
            if current in sections:
                raise MigrationFileError(
                    str(path), f"second '-- +goose {what.title()}' line", line=number
                )
            sections[current] = []
        elif what == "NO TRANSACTION":
            transactional = False
        elif what == "STATEMENTBEGIN" and current is not None and block is None:
            block = number
            if fence:
                sections[current].append(f"DELIMITER {_FENCE}")
        elif what == "STATEMENTEND" and current is not None and block is not None:
            block = None
            if fence:
                body = sections[current]
                while body and not body[-1].strip():
                    body.pop()
                if body:  # the block's own last ';' would be sent with the statement
                    body[-1] = body[-1].rstrip().removesuffix(";")
                body += [_FENCE, "DELIMITER ;"]
        elif what.startswith("ENVSUB"):
            if what != "ENVSUB OFF":
                raise Unsupported(
                    f"{path}:{number}: goose ENVSUB (environment substitution) is not supported yet"
                )
        else:
            raise MigrationFileError(
                str(path), f"unknown annotation '-- +goose {what}'", line=number
            )
    if block is not None:
        raise MigrationFileError(str(path), "StatementBegin without StatementEnd", line=block)
    if "up" not in sections:
        raise MigrationFileError(str(path), "no '-- +goose Up' line")
    down = "\n".join(sections["down"]) if "down" in sections else None
    if down is not None and not down.strip():
        down = None
    return "\n".join(sections["up"]), down, transactional


def applied(conn: Connection, imported: Imported, table: str | None) -> list[Applied] | None:
    rows = read_table(conn, table or TABLE, ["id", "version_id", "is_applied"])
    if rows is None:
        return None
    state: dict[int, bool] = {}
    for _id, version, is_applied in sorted(rows, key=lambda row: int(row[0])):
        state[int(version)] = bool(is_applied)  # the newest row of a version wins
    return [Applied(key=m.key) for m in imported.migrations if state.get(m.version)]
