"""``dbshift drift`` on an N-table schema (default 1,000), per server, in one run.

The schema is applied by ``dbshift migrate`` (which stores the snapshot drift reads), then
one table is altered by hand. Timed as whole processes, start to exit:

- ``dbshift drift`` (snapshot): the number the issue sets a target for (<= 1 s);
- ``dbshift inspect --format json``: one inspection, the floor drift cannot go under
  (drift is one inspection, a snapshot decode and a diff);
- ``pg_dump --schema-only`` / ``mariadb-dump --no-data``: what a by-hand drift check with
  the server's own tool costs before any comparing;
- a one-statement ``migrate`` with and without ``drift_snapshots``: what storing the
  snapshot adds to every migrate run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_diff import ENV, SERVERS, drop, schema_sql

BIN = Path(sys.executable).parent


def _admin_url(backend: str, name: str, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / (name + '.db')}"
    import sqlalchemy

    from dbshift.connection import parse_url

    admin = sqlalchemy.create_engine(parse_url(SERVERS[backend]), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        force = " WITH (FORCE)" if backend == "postgresql" else ""
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return SERVERS[backend].rsplit("/", 1)[0] + "/" + name


#: CPU seconds (user + system) of each timed child, in order: steadier than wall time on a
#: busy machine.
CPU: list[float] = []


def _run(command: list[str], cwd: Path, *, ok: tuple[int, ...] = (0,)) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, env=ENV)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if result.returncode not in ok:
        raise SystemExit(f"bench: {' '.join(command[:3])} failed: {result.stderr.strip()[-600:]}")
    return elapsed


def _by_hand(url: str, sql: str) -> None:
    import sqlalchemy

    from dbshift.connection import parse_url

    engine = sqlalchemy.create_engine(parse_url(url))
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


def _dump_command(backend: str, url: str) -> list[str] | None:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if backend == "postgresql" and shutil.which("pg_dump"):
        return ["pg_dump", "--schema-only", "-d", url]
    tool = shutil.which("mariadb-dump") or shutil.which("mysqldump")
    if backend == "mysql" and tool:
        return [
            tool,
            "--no-data",
            "-h",
            u.host or "127.0.0.1",
            "-u",
            u.username or "root",
            str(u.database),
        ]
    if backend == "sqlite" and shutil.which("sqlite3"):
        return ["sqlite3", str(u.database), ".schema"]
    return None


def run_backend(backend: str, n: int, repeat: int) -> None:
    name = "dbshift_bench_drift"
    with tempfile.TemporaryDirectory(prefix="dbshift-bench-drift-") as tmp:
        work = Path(tmp)
        url = _admin_url(backend, name, work)
        migrations = work / "migrations"
        migrations.mkdir()
        (migrations / "1_schema.sql").write_text(
            "-- dbshift:up\n" + schema_sql(n, backend, changed=False)
        )
        dbshift = [str(BIN / "dbshift")]
        _run([*dbshift, "hash"], work)
        _run([*dbshift, "--url", url, "migrate"], work)
        q = "`" if backend == "mysql" else '"'
        drift = [*dbshift, "--url", url, "drift"]
        _run(drift, work)  # warm: bytecode cache, server caches
        cases: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}

        def measure(label: str, command: list[str], ok: tuple[int, ...] = (0,)) -> None:
            del CPU[:]
            cases[label] = [_run(command, work, ok=ok) for _ in range(repeat)]
            cpu[label] = list(CPU)

        measure("dbshift drift (no drift)", drift)
        _by_hand(url, f"ALTER TABLE {q}t5{q} ADD COLUMN {q}by_hand{q} integer")
        measure("dbshift drift (1 change)", drift, ok=(1,))
        measure("dbshift inspect (floor)", [*dbshift, "--url", url, "inspect", "--format", "json"])
        dump = _dump_command(backend, url)
        if dump:
            measure(f"{Path(dump[0]).name} schema only", dump)
        version = 1
        for snapshots in ("true", "false"):
            times = []
            (work / "dbshift.toml").write_text(f"drift_snapshots = {snapshots}\n")
            used = []
            for _ in range(repeat):
                version += 1
                (migrations / f"{version}_m.sql").write_text(
                    f"-- dbshift:up\nCREATE TABLE {q}m{version}{q} (id integer);\n"
                )
                _run([*dbshift, "hash"], work)
                times.append(_run([*dbshift, "--url", url, "migrate"], work))
                used.append(CPU[-1])
            cases[f"migrate 1 statement, snapshots {snapshots}"] = times
            cpu[f"migrate 1 statement, snapshots {snapshots}"] = used
        print(f"  load average {os.getloadavg()[0]:.1f}; wall median (min), CPU median")
        for label, times in cases.items():
            print(
                f"  {label:<36} {statistics.median(times):6.2f} s ({min(times):.2f})"
                f"  cpu {statistics.median(cpu[label]):5.2f} s",
                flush=True,
            )
        floor = statistics.median(cases["dbshift inspect (floor)"])
        took = statistics.median(cases["dbshift drift (1 change)"])
        print(f"  drift / inspect floor: {took / floor:.2f}x")
        if backend != "sqlite":
            drop(backend, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--backends", default="postgresql,mysql,sqlite", help="comma-separated list"
    )
    args = parser.parse_args()
    os.environ.pop("DBSHIFT_URL", None)
    for backend in args.backends.split(","):
        print(f"{backend}, {args.tables} tables (median of {args.repeat}):", flush=True)
        run_backend(backend, args.tables, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
