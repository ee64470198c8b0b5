"""What every server's backup engine does, and the facts it is given."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection

    from dbshift.backup.manifest import FileEntry, Manifest, PriorRows, TableEntry
    from dbshift.dialects import Dialect

Notice = Callable[[str], None]


@contextmanager
def transaction(run: Callable[[str], object], begin: str = "BEGIN") -> Iterator[None]:
    """``begin`` ... ``COMMIT`` through ``run`` (a driver's execute), or ``ROLLBACK`` when
    anything escapes, even an interrupt or a failed COMMIT: a restore is all or nothing."""
    run(begin)
    try:
        yield
        run("COMMIT")
    except BaseException:
        run("ROLLBACK")
        raise


@dataclass(frozen=True)
class Database:
    """One live database: its URL (for the tools), a connection (for the catalog), and
    the dbshift tables that belong in every backup of it."""

    url: URL
    conn: Connection
    dialect: Dialect
    history_tables: tuple[str, ...]


@dataclass(frozen=True)
class Dumped:
    files: tuple[FileEntry, ...]
    tables: tuple[TableEntry, ...]
    tool: str
    extra: dict[str, Any]
    #: The files hold the whole database whatever was asked (SQLite's backup API).
    whole: bool = False


class Engine(Protocol):
    kind: str

    def server_version(self, db: Database) -> str: ...

    def all_tables(self, db: Database) -> list[str]:
        """Every user table (history included), in the names the manifest uses."""
        ...

    def resolve(self, db: Database, name: str) -> str | None:
        """A table name as the user wrote it, in the manifest's spelling; None when the
        table does not exist."""
        ...

    def dump(
        self, db: Database, directory: Path, tables: Sequence[str] | None, notice: Notice
    ) -> Dumped:
        """Write the backup files into ``directory``; ``tables`` None: everything."""
        ...

    def restore(
        self,
        db: Database,
        directory: Path,
        manifest: Manifest,
        tables: Sequence[str] | None,
        notice: Notice,
    ) -> None:
        """Put the backup's tables (or the ``tables`` among them) back. A full backup
        restored whole also drops tables created after it, so the schema is as it was."""
        ...

    def row_counts(self, db: Database, tables: Sequence[str]) -> dict[str, int]: ...

    # -- the prior backup (``dbshift.backup.rows``) -------------------------------------

    def qualified(self, db: Database, table: str) -> str:
        """The manifest's table name, quoted for SQL."""
        ...

    def key_and_columns(self, db: Database, table: str) -> tuple[list[str], list[str]]:
        """The primary key's columns (empty: none) and the columns an INSERT may write."""
        ...

    def save_rows(
        self,
        db: Database,
        directory: Path,
        table: str,
        queries: Sequence[str],
        key: Sequence[str],
        columns: Sequence[str],
    ) -> tuple[FileEntry, int]:
        """Write the rows ``queries`` return (columns ``columns``) into a file of the
        backup; the file's entry and the number of rows."""
        ...

    def load_rows(self, db: Database, directory: Path, table: str, prior: PriorRows) -> None:
        """Upsert the saved rows into ``table`` by ``prior.key``, in one transaction."""
        ...
