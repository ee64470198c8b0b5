"""MySQL/MariaDB: ``mariadb-dump``/``mysqldump --single-transaction --routines --triggers``,
restored through the ``mariadb``/``mysql`` client.

MySQL commits every DDL statement, so a restore cannot be one transaction. It is made
re-runnable instead: the dump drops and recreates each table it holds, and tables a full
backup lacks are dropped before it starts, so a restore killed midway converges when run
again. ``restore --tables`` streams only those tables' sections of the dump (the tool
marks each with a ``-- Table structure for table `t``` comment).

Credentials go to the tools in a 0600 option file, never on the command line (where
``ps`` shows them to every user of the machine).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from dbshift.backup import manifest as mf
from dbshift.backup import rows, tools
from dbshift.backup.base import Database, Dumped, Notice, transaction
from dbshift.connection import mask_url
from dbshift.dialects.base import Product
from dbshift.dialects.mysql import MySQLDialect

PACKAGE = "the MariaDB or MySQL client (Debian/Ubuntu: apt install mariadb-client; macOS: brew install mysql-client)"
_SECTION = re.compile(
    r"^-- (Table structure for table|Dumping data for table|Temporary (?:table|view) structure "
    r"for view|Final view structure for view|Dumping routines|Dumping events)(?: (.*))?$"
)
_FOOTER = "/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;"


class MySQLEngine(rows.DriverRows):
    kind = MySQLDialect.name
    package = PACKAGE

    def __init__(self, *, builtin: bool = False) -> None:
        #: ``backup_tool = "builtin"``: dbshift's own dump even where the tool is installed.
        self.builtin = builtin

    def _builtin(self, db: Database, notice: Notice) -> bool:
        if self.builtin:
            return True
        names = ["mariadb-dump", "mysqldump"]
        if not any(shutil.which(n) for n in names):
            notice(
                f"{' or '.join(names)} not found on PATH: using dbshift's built-in dump "
                f"(slower); install {PACKAGE}"
            )
            return True
        return False

    def view_list(self, db: Database) -> list[str]:
        return self._views(db)

    def _is_mariadb(self, db: Database) -> bool:
        return MySQLDialect.product_of(self.server_version(db)) is Product.MARIADB

    def _tool(self, db: Database, role: str, notice: Notice) -> str:
        mariadb = self._is_mariadb(db)
        if role == "dump":
            names = ["mariadb-dump", "mysqldump"] if mariadb else ["mysqldump", "mariadb-dump"]
        else:
            names = ["mariadb", "mysql"] if mariadb else ["mysql", "mariadb"]
        path = tools.find(names, PACKAGE)
        client = tools.version(path)
        server = tuple(int(p) for p in re.findall(r"\d+", self.server_version(db))[:2])
        if client and client[:2] < server:
            notice(
                f"warning: {Path(path).name} {'.'.join(map(str, client))} is older than the "
                f"server ({self.server_version(db)}); install a matching client"
            )
        return path

    @contextlib.contextmanager
    def _options(self, db: Database) -> Iterator[str]:
        url = db.url

        def value(v: object) -> str:
            return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines = ["[client]"]
        if url.username:
            lines.append(f"user={value(url.username)}")
        if url.password is not None:
            lines.append(f"password={value(url.password)}")
        socket = url.query.get("unix_socket")
        if isinstance(socket, str):
            lines.append(f"socket={value(socket)}")
        else:
            lines += [f"host={value(url.host or '127.0.0.1')}", "protocol=TCP"]
        if url.port:
            lines.append(f"port={url.port}")
        lines.append("default-character-set=utf8mb4")
        with tempfile.NamedTemporaryFile("w", prefix="dbshift-my-", suffix=".cnf") as f:
            f.write("\n".join(lines) + "\n")  # NamedTemporaryFile is created 0600
            f.flush()
            yield f"--defaults-extra-file={f.name}"

    # -- catalog --------------------------------------------------------------------------

    def server_version(self, db: Database) -> str:
        return str(db.conn.exec_driver_sql("SELECT VERSION()").scalar_one())

    def all_tables(self, db: Database) -> list[str]:
        return [
            r[0]
            for r in db.conn.exec_driver_sql(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"
            )
        ]

    def _views(self, db: Database) -> list[str]:
        return [
            r[0]
            for r in db.conn.exec_driver_sql(
                "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"
            )
        ]

    def resolve(self, db: Database, name: str) -> str | None:
        row = db.conn.exec_driver_sql(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME = %(t)s",
            {"t": name},
        ).first()
        return str(row[0]) if row else None

    def qualified(self, db: Database, table: str) -> str:
        return db.dialect.quote(table)

    # -- the prior backup ------------------------------------------------------------------

    def key_and_columns(self, db: Database, table: str) -> tuple[list[str], list[str]]:
        key = [
            str(r[0])
            for r in db.conn.exec_driver_sql(
                "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %(t)s "
                "AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
                {"t": table},
            )
        ]
        columns = [
            str(r[0])
            for r in db.conn.exec_driver_sql(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %(t)s "
                "AND IS_GENERATED = 'NEVER' ORDER BY ORDINAL_POSITION",
                {"t": table},
            )
        ]
        return key, columns

    def load_rows(self, db: Database, directory: Path, table: str, prior: mf.PriorRows) -> None:
        q = db.dialect.quote
        marks = ", ".join(rows.placeholder(db) for _ in prior.columns)
        # VALUES(c): the row being inserted (MariaDB; MySQL 8 still accepts it).
        update = ", ".join(f"{q(c)} = VALUES({q(c)})" for c in prior.columns)
        # The names' % doubled for the driver's %-substitution; the markers added after.
        statement = (
            rows.driver_sql(
                db, f"INSERT INTO {q(table)} ({', '.join(q(c) for c in prior.columns)})"
            )
            + f" VALUES ({marks}) "
            + rows.driver_sql(db, f"ON DUPLICATE KEY UPDATE {update}")
        )
        # A re-inserted parent row may come after its children in the file.
        db.conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        try:
            with transaction(db.conn.exec_driver_sql, "START TRANSACTION"):
                rows.load_through_driver(db, directory, prior.file, statement)
        finally:
            db.conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")

    def row_counts(self, db: Database, tables: Sequence[str]) -> dict[str, int]:
        q = db.dialect.quote
        return {
            t: int(db.conn.exec_driver_sql(f"SELECT count(*) FROM {q(t)}").scalar_one())
            for t in tables
        }

    # -- dump -------------------------------------------------------------------------------

    def dump(
        self, db: Database, directory: Path, tables: Sequence[str] | None, notice: Notice
    ) -> Dumped:
        if self._builtin(db, notice):
            from dbshift.backup import builtin_mysql

            return builtin_mysql.dump(self, db, directory, tables, notice)
        tool = self._tool(db, "dump", notice)
        names = list(tables) if tables is not None else self.all_tables(db)
        target = directory / "dump.sql"
        flags = ["--single-transaction", "--triggers", "--hex-blob", "--no-tablespaces"]
        if tables is None:
            flags += ["--routines"]  # routines belong to the database, not to a table
        with self._options(db) as options, target.open("wb") as out:
            proc = tools.start(
                [tool, options, *flags, "--", db.url.database or "", *(tables or ())],
                stdout=out,
            )
            with tools.progress("backup", tools.file_size(target), None):
                # A snapshot of our own: MySQL cannot share the dump's; exact when nothing
                # writes during the backup (as under migrate's lock with the app stopped).
                db.conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT")
                try:
                    counts = self.row_counts(db, names)
                finally:
                    db.conn.exec_driver_sql("COMMIT")
                tools.wait(proc, f"{Path(tool).name} of {mask_url(db.url)}")
        views = [] if tables is not None else self._views(db)
        return Dumped(
            files=(mf.file_entry(directory, target),),
            tables=tuple(mf.TableEntry(t, counts[t]) for t in names),
            tool=f"{Path(tool).name} {'.'.join(map(str, tools.version(tool)))} " + " ".join(flags),
            extra={"format": "sql", "dump": target.name, "views": views},
        )

    # -- restore ------------------------------------------------------------------------------

    def restore(
        self,
        db: Database,
        directory: Path,
        manifest: mf.Manifest,
        tables: Sequence[str] | None,
        notice: Notice,
    ) -> None:
        if manifest.scope == "full" and tables is None:
            self._drop_extras(db, manifest)
        if manifest.extra.get("format") == "builtin":
            from dbshift.backup import builtin_mysql

            return builtin_mysql.restore(self, db, directory, manifest, tables, notice)
        client = self._tool(db, "restore", notice)
        dump = directory / manifest.extra.get("dump", "dump.sql")
        with tempfile.TemporaryDirectory(prefix="dbshift-restore-") as tmp:
            source = dump
            if tables is not None:
                source = Path(tmp) / "tables.sql"
                _select_tables(dump, source, set(tables))
            with self._options(db) as options, source.open("rb") as stdin:
                proc = tools.start(
                    [client, options, "--batch", "--binary-mode", "--", db.url.database or ""],
                    stdin=stdin,
                )
                with tools.progress(
                    "restore", tools.read_position(proc, source), source.stat().st_size
                ):
                    tools.wait(proc, f"restore ({Path(client).name})")

    def _drop_extras(self, db: Database, manifest: mf.Manifest) -> None:
        """Tables and views created after a full backup: dropped so the schema is as it was."""
        q = db.dialect.quote
        have = {t.name for t in manifest.tables} | set(manifest.extra.get("views", []))
        rows = db.conn.exec_driver_sql(
            "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE()"
        ).all()
        drops = [
            f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS {q(name)}"
            for name, kind in rows
            if name not in have
        ]
        if drops:
            db.conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            try:
                for statement in drops:
                    db.conn.exec_driver_sql(statement)
            finally:
                db.conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")


def _select_tables(dump: Path, out: Path, tables: set[str]) -> None:
    """Copy the dump's header, footer and the sections of ``tables`` into ``out``."""
    keep = True
    with (
        dump.open("r", encoding="utf-8", errors="surrogateescape") as src,
        out.open("w", encoding="utf-8", errors="surrogateescape") as dst,
    ):
        for line in src:
            match = _SECTION.match(line)
            if match:
                kind, name = match.group(1), (match.group(2) or "").strip()
                table = name[1:-1].replace("``", "`") if name.startswith("`") else name
                keep = kind in ("Table structure for table", "Dumping data for table") and (
                    table in tables
                )
            elif line.startswith(_FOOTER):
                keep = True
            if keep:
                dst.write(line)
