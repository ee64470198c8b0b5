"""The MySQL/MariaDB online engine: the ``phases.Engine`` over ``expand.py`` (start's
steps) and ``contract.py`` (complete and rollback). MySQL DDL commits statement by
statement, so each step is idempotent and checks what is already done, and the journal
update of a step follows it instead of sharing its transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from dbshift.errors import UsageError
from dbshift.online.mysql import contract, expand
from dbshift.online.mysql import sql as my
from dbshift.online.phases import Insert, NewVersion, Progress, Record, Run

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect
    from dbshift.online.journal import Entry
    from dbshift.online.spec import OnlineMigration


class MySQLEngine:
    """The ``phases.PhasedEngine`` of MySQL and MariaDB."""

    casts_on_alter: ClassVar[bool] = False
    uses_runner_lock: ClassVar[bool] = True
    undo_hint: ClassVar[str] = "write a new one to undo it"
    #: Comment lines ``generate --online`` puts at the top of a file for this engine.
    file_notes: ClassVar[tuple[str, ...]] = (
        "MySQL/MariaDB: while this migration is in flight, an insert through the new",
        "version into a table it copies gets its key from a trigger, and LAST_INSERT_ID()",
        "then returns 0 (MySQL restores it when a trigger ends). Read the key from the",
        "driver (cursor.lastrowid, mysql_insert_id(), getGeneratedKeys()) instead.",
    )

    def __init__(self) -> None:
        self.dialect: Dialect = my.MY

    def base_schema(self, conn: Connection, schema: str) -> str:
        """``public`` (the command's default) means the URL's database."""
        if schema != "public":
            return schema
        current = conn.exec_driver_sql("SELECT DATABASE()").scalar()
        if not current:
            raise UsageError("the MySQL URL names no database: add /<database> to it")
        return str(current)

    def new_version(self, entry: Entry) -> NewVersion:
        return NewVersion(
            lines=(
                f"  new version: connect to database {entry.version_schema}",
                f"  old version: unchanged (database {entry.base_schema})",
            ),
            database=entry.version_schema,
        )

    def prepare(self, run: Run) -> dict[str, Any]:
        return expand.prepare(run.conn, run.migration)

    def version_name(self, migration: OnlineMigration) -> str:
        return my.version_database(migration.schema, migration.name)

    def begin(self, run: Run, state: dict[str, Any], insert: Insert) -> None:
        insert(run.conn, sorted(run.migration.tables))
        expand.expand(run)

    def settle(self, run: Run, entry: Entry) -> OnlineMigration:
        return run.migration

    def expand(self, run: Run, entry: Entry) -> None:
        expand.expand(run)

    def backfill(self, run: Run, entry: Entry) -> bool:
        return expand.copy(run)

    def expose(self, run: Run, entry: Entry, record: Record) -> None:
        expand.expose(run, record)

    def verify(self, run: Run, entry: Entry) -> None:
        expand.expose_new_tables(run)
        contract.verify(run)

    def contract(self, run: Run, entry: Entry, record: Record) -> None:
        contract.contract(run, record)

    def cleanup(self, run: Run, entry: Entry) -> None:
        expand.expose_new_tables(run)
        contract.cleanup(run)

    def rollback(self, run: Run, entry: Entry, record: Record) -> None:
        contract.rollback(run, record)

    def refresh(self, conn: Connection, schema: str, progress: Progress) -> list[str]:
        """The version database of every live migration of ``schema`` given the tables
        made (and rid of the ones dropped) since it was built; what changed."""
        return expand.refresh_active(conn, schema, progress)
