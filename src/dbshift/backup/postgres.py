"""PostgreSQL: ``pg_dump -Fc`` in the snapshot our own connection exports, ``pg_restore``
in one transaction.

The row counts in the manifest are taken in the very snapshot the dump reads
(``pg_export_snapshot`` + ``pg_dump --snapshot``), while the dump runs, so they are the
rows in the backup, not an estimate, and cost no extra wall time on a machine with a spare
core. A database larger than ``PARALLEL_BYTES`` is dumped as a directory with ``-j``
workers (and restored with ``-j``, which cannot be one transaction; ``--clean --if-exists``
keeps a re-run after a crash correct).

The restore is one transaction (``--single-transaction``): killed midway, the database
is as it was and the restore can simply run again. Tables a full backup does not contain
(created by later migrations) are dropped first, in the same transaction, through
``psql -1`` reading our preamble and then ``pg_restore``'s script from a pipe.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dbshift.backup import manifest as mf
from dbshift.backup import postgres_fks, postgres_rows, tools
from dbshift.backup.base import Database, Dumped, Notice
from dbshift.backup.rows import file_name
from dbshift.connection import mask_url
from dbshift.dialects.postgres import PostgresDialect
from dbshift.errors import UsageError

PACKAGE = "the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client; macOS: brew install libpq)"
#: Databases at least this large are dumped with parallel workers (-Fd -j).
PARALLEL_BYTES = int(os.environ.get("DBSHIFT_BACKUP_PARALLEL_BYTES", str(8 << 30)))
# No % here: these queries go through the driver's %-substitution.
_USER_SCHEMAS = "n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_'"
_TOC = re.compile(
    r"^\d+; \d+ \d+ (MATERIALIZED VIEW DATA|MATERIALIZED VIEW|TABLE DATA|SEQUENCE SET|"
    r"SEQUENCE OWNED BY|FK CONSTRAINT|ROW SECURITY|INDEX ATTACH|TABLE|VIEW|SEQUENCE|TYPE|"
    r"DOMAIN|SCHEMA|INDEX|CONSTRAINT|TRIGGER|DEFAULT|POLICY|RULE|COMMENT|ACL|[A-Z ]+?) "
    r"(\S+) (.*) (\S+)$"
)


@dataclass(frozen=True)
class TocEntry:
    line: str
    desc: str
    schema: str
    tag: str


class PostgresEngine:
    kind = PostgresDialect.name
    package = PACKAGE

    def __init__(self, *, builtin: bool = False) -> None:
        #: ``backup_tool = "builtin"``: dbshift's own dump even where pg_dump is installed.
        self.builtin = builtin

    def _builtin(self, notice: Notice) -> bool:
        if self.builtin:
            return True
        if shutil.which("pg_dump") is None:
            notice(
                "pg_dump not found on PATH: using dbshift's built-in dump (slower, and "
                f"it covers the current schema only); install {PACKAGE} for pg_dump"
            )
            return True
        return False

    # -- connection for the tools -------------------------------------------------------

    def _env(self, db: Database) -> dict[str, str]:
        url = db.url
        env = {"PGAPPNAME": "dbshift", "PGDATABASE": url.database or "postgres"}
        for key, value in (
            ("PGHOST", url.host),
            ("PGPORT", url.port),
            ("PGUSER", url.username),
            ("PGPASSWORD", url.password),
        ):
            if value is not None:
                env[key] = str(value)
        sslmode = url.query.get("sslmode")
        if isinstance(sslmode, str):
            env["PGSSLMODE"] = sslmode
        return env

    def _tool(self, db: Database, name: str, notice: Notice) -> str:
        path = tools.find([name], PACKAGE)
        client = tools.version(path)
        server = int(self.server_version(db).split(".")[0])
        if client and client[0] < server:
            notice(
                f"warning: {name} {'.'.join(map(str, client))} is older than the server "
                f"(PostgreSQL {server}); install the PostgreSQL {server} client tools"
            )
        return path

    # -- catalog ----------------------------------------------------------------------------

    def server_version(self, db: Database) -> str:
        num = int(db.conn.exec_driver_sql("SHOW server_version_num").scalar_one())
        return f"{num // 10000}.{num % 10000}"

    def all_tables(self, db: Database) -> list[str]:
        rows = db.conn.exec_driver_sql(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relkind IN ('r', 'p') AND {_USER_SCHEMAS} AND NOT c.relispartition "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') "
            "ORDER BY 1, 2"
        ).all()
        return [f"{s}.{t}" for s, t in rows]

    def resolve(self, db: Database, name: str) -> str | None:
        schema, _, table = name.rpartition(".")
        row = db.conn.exec_driver_sql(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND c.relname = %(t)s "
            "AND n.nspname = COALESCE(%(s)s, current_schema())",
            {"t": table, "s": schema or None},
        ).first()
        return f"{row[0]}.{row[1]}" if row else None

    def _qualified(self, db: Database, name: str) -> str:
        schema, _, table = name.partition(".")
        return db.dialect.qualify(schema, table)

    def qualified(self, db: Database, table: str) -> str:
        return self._qualified(db, table)

    # -- the prior backup ------------------------------------------------------------------

    def key_and_columns(self, db: Database, table: str) -> tuple[list[str], list[str]]:
        return postgres_rows.key_and_columns(db, self._qualified(db, table))

    def save_rows(
        self,
        db: Database,
        directory: Path,
        table: str,
        queries: Sequence[str],
        key: Sequence[str],
        columns: Sequence[str],
    ) -> tuple[mf.FileEntry, int]:
        path = file_name(table, "copy")
        count, size, digest = postgres_rows.copy_out(db, queries, directory / path)
        return mf.FileEntry(path, size, digest), count

    def load_rows(self, db: Database, directory: Path, table: str, prior: mf.PriorRows) -> None:
        postgres_rows.copy_in_upsert(db, self._qualified(db, table), directory / prior.file, prior)

    def row_counts(self, db: Database, tables: Sequence[str]) -> dict[str, int]:
        return {
            t: int(
                db.conn.exec_driver_sql(
                    f"SELECT count(*) FROM {self._qualified(db, t)}"
                ).scalar_one()
            )
            for t in tables
        }

    def _objects(self, db: Database, table: str) -> tuple[str, ...]:
        """Indexes, owned sequences and the views built on the table (recursively): the
        TOC entries named after themselves, not the table. The views go into a targeted
        dump too: ``pg_restore --clean`` cannot drop a table a view still depends on."""
        rows = db.conn.exec_driver_sql(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %(t)s::regclass "
            "UNION SELECT s.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid "
            "WHERE d.refobjid = %(t)s::regclass AND s.relkind = 'S' AND d.deptype IN ('a', 'i') "
            "UNION SELECT c.relname FROM pg_class c WHERE c.oid = ANY(%(v)s)",
            {"t": self._qualified(db, table), "v": self._dependent_views(db, table)},
        ).all()
        return tuple(sorted(r[0] for r in rows))

    def _dependent_views(self, db: Database, table: str) -> list[int]:
        return [
            int(r[0])
            for r in db.conn.exec_driver_sql(
                "WITH RECURSIVE deps(oid) AS (SELECT %(t)s::regclass::oid UNION "
                "SELECT r.ev_class FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
                "JOIN deps ON d.refobjid = deps.oid "
                "WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> deps.oid) "
                "SELECT oid FROM deps WHERE oid <> %(t)s::regclass::oid",
                {"t": self._qualified(db, table)},
            )
        ]

    def view_names(self, db: Database, tables: Sequence[str]) -> list[str]:
        """The views built on ``tables``, recursively, schema-qualified."""
        return self._view_names(db, tables)

    def _view_names(self, db: Database, tables: Sequence[str]) -> list[str]:
        oids = sorted({o for t in tables for o in self._dependent_views(db, t)})
        rows = db.conn.exec_driver_sql(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.oid = ANY(%(v)s) ORDER BY 1, 2",
            {"v": oids},
        ).all()
        return [f"{s}.{v}" for s, v in rows]

    # -- dump ---------------------------------------------------------------------------------

    def dump(
        self, db: Database, directory: Path, tables: Sequence[str] | None, notice: Notice
    ) -> Dumped:
        if self._builtin(notice):
            from dbshift.backup import builtin_postgres

            return builtin_postgres.dump(self, db, directory, tables, notice)
        pg_dump = self._tool(db, "pg_dump", notice)
        names = list(tables) if tables is not None else self.all_tables(db)
        size = int(
            db.conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
        )
        parallel = tables is None and size >= PARALLEL_BYTES and (os.cpu_count() or 1) > 1
        jobs = min(4, os.cpu_count() or 1)
        target = directory / ("dump.dir" if parallel else "dump.pgc")
        argv = [pg_dump, "--no-password"]
        argv += ["-Fd", f"-j{jobs}", "-f", str(target)] if parallel else ["-Fc"]
        for name in [*(tables or ()), *(self._view_names(db, tables) if tables else ())]:
            schema, _, table = name.partition(".")
            argv += ["-t", f"{_pattern(schema)}.{_pattern(table)}"]
        # Our snapshot, exported to pg_dump: the counts below see exactly what it dumps.
        db.conn.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            snapshot = db.conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            proc = tools.start(
                [*argv, f"--snapshot={snapshot}"],
                env=self._env(db),
                stdout=None if parallel else subprocess.PIPE,
            )
            copy = None
            if proc.stdout is not None:
                copy = tools.HashingCopy(proc.stdout, target)
                copy.start()
            with tools.progress("backup", tools.file_size(target), None):
                counts = self.row_counts(db, names)
                objects = {t: self._objects(db, t) for t in names}
                written = copy.finish() if copy is not None else None
                tools.wait(proc, f"pg_dump of {mask_url(db.url)}")
        finally:
            db.conn.exec_driver_sql("COMMIT")
        if written is not None:
            files: tuple[mf.FileEntry, ...] = (mf.FileEntry(target.name, written[0], written[1]),)
        else:
            files = tuple(
                mf.file_entry(directory, f) for f in sorted(target.rglob("*")) if f.is_file()
            )
        return Dumped(
            files=files,
            tables=tuple(mf.TableEntry(t, counts[t], objects[t]) for t in names),
            tool=f"pg_dump {'.'.join(map(str, tools.version(pg_dump)))} "
            + (f"-Fd -j{jobs}" if parallel else "-Fc"),
            extra={"format": "directory" if parallel else "custom", "dump": target.name},
        )

    # -- restore --------------------------------------------------------------------------------

    def restore(
        self,
        db: Database,
        directory: Path,
        manifest: mf.Manifest,
        tables: Sequence[str] | None,
        notice: Notice,
    ) -> None:
        if manifest.extra.get("format") == "builtin":
            from dbshift.backup import builtin_postgres

            return builtin_postgres.restore(self, db, directory, manifest, tables, notice)
        pg_restore = self._tool(db, "pg_restore", notice)
        dump = directory / manifest.extra.get("dump", "dump.pgc")
        parallel = manifest.extra.get("format") == "directory"
        with tempfile.TemporaryDirectory(prefix="dbshift-restore-") as tmp:
            argv = [pg_restore, "--no-password", "--clean", "--if-exists"]
            if tables is not None:
                toc = self._toc(pg_restore, dump)
                wanted = [e for t in tables if (e := manifest.table(t)) is not None]
                chosen = [e for e in toc if _belongs(e, wanted)]
                listing = Path(tmp) / "toc.list"
                listing.write_text("".join(e.line + "\n" for e in chosen), encoding="utf-8")
                argv += ["-L", str(listing)]
            whole = manifest.scope == "full" and tables is None
            preamble = self._drop_extras(db, lambda: self._toc(pg_restore, dump)) if whole else []
            drops, adds = (
                ([], [])
                if whole
                else postgres_fks.outside(
                    db,
                    tables if tables is not None else [t.name for t in manifest.tables if t.whole],
                )
            )
            preamble += drops
            env = self._env(db)
            if parallel:
                if preamble:
                    db.conn.exec_driver_sql("; ".join(preamble))
                argv += [f"-j{min(4, os.cpu_count() or 1)}", "-d", env["PGDATABASE"], str(dump)]
                proc = tools.start(argv, env=env)
                with tools.progress("restore", lambda: 0, None):
                    tools.wait(proc, "pg_restore")
                for statement in adds:
                    db.conn.exec_driver_sql(statement)
                return
            if not preamble and not adds:
                proc = tools.start(
                    [*argv, "--single-transaction", "-d", env["PGDATABASE"], str(dump)], env=env
                )
                with tools.progress(
                    "restore", tools.read_position(proc, dump), dump.stat().st_size
                ):
                    tools.wait(proc, "pg_restore")
                return
            self._restore_with_preamble(db, argv, dump, (preamble, adds), Path(tmp), env)

    def _restore_with_preamble(
        self,
        db: Database,
        argv: list[str],
        dump: Path,
        around: tuple[list[str], list[str]],
        tmp: Path,
        env: dict[str, str],
    ) -> None:
        """``psql -1``: our statements before, pg_restore's script, ours after."""
        psql = tools.find(["psql"], PACKAGE)
        pre, post = tmp / "preamble.sql", tmp / "postamble.sql"
        pre.write_text("".join(s + ";\n" for s in around[0]), encoding="utf-8")
        post.write_text("".join(s + ";\n" for s in around[1]), encoding="utf-8")
        script = tools.start([*argv, "-f", "-", str(dump)], env=env, stdout=subprocess.PIPE)
        assert script.stdout is not None
        files = ["-f", str(pre), "-f", "-", "-f", str(post)]
        apply = tools.start(
            [psql, "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", *files],
            env=env,
            stdin=script.stdout,
        )
        script.stdout.close()  # psql holds the pipe now; pg_restore sees EPIPE if psql dies
        with tools.progress("restore", tools.read_position(script, dump), dump.stat().st_size):
            tools.wait(apply, "restore (psql)")
            tools.wait(script, "pg_restore")

    def _toc(self, pg_restore: str, dump: Path) -> list[TocEntry]:
        proc = subprocess.run(
            [pg_restore, "-l", str(dump)], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            raise UsageError(f"{dump}: not a pg_dump archive: {proc.stderr.strip()}")
        out = []
        for line in proc.stdout.splitlines():
            match = _TOC.match(line)
            if match:
                out.append(TocEntry(line, match.group(1), match.group(2), match.group(3)))
        return out

    def _drop_extras(self, db: Database, read_toc: Callable[[], list[TocEntry]]) -> list[str]:
        """DROP statements for relations, types and schemas the live database has and the
        backup does not: what later migrations created. An empty database (a restore
        ``--to`` a new one) has none, and the archive's table of contents is not read."""
        populated = db.conn.exec_driver_sql(
            "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE {_USER_SCHEMAS}) OR EXISTS (SELECT 1 FROM pg_namespace n WHERE {_USER_SCHEMAS} "
            "AND n.nspname <> 'public') OR EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n "
            f"ON n.oid = t.typnamespace WHERE t.typtype IN ('e', 'd') AND {_USER_SCHEMAS})"
        ).scalar_one()
        if not populated:
            return []
        toc = read_toc()
        have = {(e.desc, e.schema, e.tag) for e in toc}
        schemas = {e.tag for e in toc if e.desc == "SCHEMA"} | {e.schema for e in toc}
        q = db.dialect.quote
        out = []
        for (schema,) in db.conn.exec_driver_sql(
            f"SELECT n.nspname FROM pg_namespace n WHERE {_USER_SCHEMAS} AND n.nspname <> 'public' "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = n.oid AND d.deptype = 'e')"
        ).all():
            if schema not in schemas:
                out.append(f"DROP SCHEMA IF EXISTS {q(schema)} CASCADE")
        kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
        for schema, name, kind in db.conn.exec_driver_sql(
            "SELECT n.nspname, c.relname, c.relkind::text FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND {_USER_SCHEMAS} "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))"
        ).all():
            if schema in schemas and (kinds[kind], schema, name) not in have:
                out.append(f"DROP {kinds[kind]} IF EXISTS {q(schema)}.{q(name)} CASCADE")
        for schema, name, typtype in db.conn.exec_driver_sql(
            "SELECT n.nspname, t.typname, t.typtype::text FROM pg_type t "
            "JOIN pg_namespace n ON n.oid = t.typnamespace "
            f"WHERE t.typtype IN ('e', 'd') AND {_USER_SCHEMAS} "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')"
        ).all():
            desc = "TYPE" if typtype == "e" else "DOMAIN"
            if schema in schemas and (desc, schema, name) not in have:
                out.append(f"DROP {desc} IF EXISTS {q(schema)}.{q(name)} CASCADE")
        return out


def _pattern(name: str) -> str:
    """A pg_dump -t pattern that matches exactly ``name``: double-quoted, quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


_OF_TABLE = ("CONSTRAINT", "FK CONSTRAINT", "TRIGGER", "DEFAULT", "POLICY", "RULE")
_BY_NAME = (
    "INDEX",
    "INDEX ATTACH",
    "SEQUENCE",
    "SEQUENCE SET",
    "SEQUENCE OWNED BY",
    "VIEW",
    "MATERIALIZED VIEW",
    "MATERIALIZED VIEW DATA",
)


def _belongs(entry: TocEntry, tables: list[mf.TableEntry]) -> bool:
    """Whether a TOC entry is part of one of ``tables``: the table, its data, and what
    hangs off it (constraints, triggers, defaults, indexes, owned sequences, comments)."""
    for table in tables:
        schema, _, bare = table.name.partition(".")
        if entry.schema != schema:
            continue
        if (
            (entry.desc in ("TABLE", "TABLE DATA", "ROW SECURITY") and entry.tag == bare)
            or (entry.desc in _OF_TABLE and entry.tag.split(" ")[0] == bare)
            or (entry.desc in _BY_NAME and entry.tag in table.objects)
            or (
                entry.desc in ("COMMENT", "ACL")
                and (entry.tag == f"TABLE {bare}" or entry.tag.startswith(f"COLUMN {bare}."))
            )
        ):
            return True
    return False
