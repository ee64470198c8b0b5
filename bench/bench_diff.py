"""Diff two live schemas of N tables with dbshift, migra and Alembic, in one run.

Two databases are built per server: ``a`` with N tables (~15 columns, indexes, a foreign
key and a check each) and ``b``, the same with ~5% of objects changed (columns added and
retyped, indexes dropped, tables added and dropped). Each tool is timed as a whole
process, start to exit, comparing a to b:

- ``dbshift diff --from A --to B --format sql``
- ``migra A B --unsafe`` (PostgreSQL only)
- Alembic: reflect b into MetaData, then ``compare_metadata`` against a (what
  ``alembic revision --autogenerate`` does), in a fresh interpreter.

Peak memory (max RSS of the child) is reported beside the time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results"
SERVERS = {
    "postgresql": os.environ.get(
        "DBSHIFT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    ),
    "mysql": os.environ.get("DBSHIFT_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
}
TYPES = {
    "postgresql": [
        "integer",
        "bigint",
        "text",
        "varchar(100)",
        "boolean",
        "numeric(12,2)",
        "timestamp",
        "jsonb",
    ],
    "mysql": [
        "int",
        "bigint",
        "text",
        "varchar(100)",
        "tinyint(1)",
        "decimal(12,2)",
        "datetime",
        "json",
    ],
    "sqlite": [
        "INTEGER",
        "INTEGER",
        "TEXT",
        "VARCHAR(100)",
        "BOOLEAN",
        "NUMERIC(12,2)",
        "TIMESTAMP",
        "TEXT",
    ],
}
ALEMBIC_SCRIPT = """
import sys
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

a, b = sys.argv[1], sys.argv[2]
target = sa.MetaData()
with sa.create_engine(b).connect() as conn:
    target.reflect(conn)
with sa.create_engine(a).connect() as conn:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
    print(len(compare_metadata(ctx, target)))
"""


def schema_sql(n: int, backend: str, *, changed: bool, seed: int = 7) -> str:
    """DDL for n tables; with ``changed`` about 5% of the objects differ."""
    rng = random.Random(seed)
    types = TYPES[backend]
    out = []
    previous: str | None = None
    q = (lambda s: f"`{s}`") if backend == "mysql" else (lambda s: f'"{s}"')
    for i in range(n):
        alter = changed and rng.random() < 0.05
        if changed and i % 97 == 13:
            continue  # table dropped in b
        cols = [
            f"{q('id')} bigint PRIMARY KEY"
            if backend != "sqlite"
            else f"{q('id')} INTEGER PRIMARY KEY"
        ]
        col_types = [types[(i + k) % len(types)] for k in range(14)]
        if alter:
            col_types[3] = "bigint" if backend != "sqlite" else "BIGINT"
        for k, t in enumerate(col_types):
            cols.append(f"{q(f'c{k}')} {t}" + (" NOT NULL" if k % 4 == 0 else ""))
        if alter:
            cols.append(f"{q('added')} integer")
        if previous is not None:
            cols.append(f"{q('parent_id')} bigint REFERENCES {q(previous)} ({q('id')})")
        previous = f"t{i}"
        cols.append(f"CONSTRAINT {q(f'ck_t{i}')} CHECK ({q('c0')} IS NOT NULL)")
        out.append(f"CREATE TABLE {q(f't{i}')} ({', '.join(cols)})")
        index_cols = [
            k for k, t in enumerate(col_types) if t.lower() not in ("text", "json", "jsonb")
        ][:3]
        for j, k in enumerate(index_cols):
            if alter and j == 0:
                continue  # index dropped in b
            out.append(f"CREATE INDEX {q(f'ix_t{i}_{j}')} ON {q(f't{i}')} ({q(f'c{k}')})")
    if changed:
        for extra in range(max(1, n // 100)):
            out.append(
                f"CREATE TABLE {q(f'new_{extra}')} ({q('id')} bigint PRIMARY KEY, {q('v')} text)"
            )
    return ";\n".join(out) + ";\n"


def build(backend: str, name: str, ddl: str, workdir: Path) -> str:
    """Create database ``name`` from ``ddl``; return its URL."""
    import sqlalchemy

    from dbshift.connection import parse_url

    if backend == "sqlite":
        path = workdir / f"{name}.db"
        path.unlink(missing_ok=True)
        import sqlite3

        with sqlite3.connect(path) as conn:
            conn.executescript(ddl)
        return f"sqlite:///{path}"
    admin = sqlalchemy.create_engine(parse_url(SERVERS[backend]), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        force = " WITH (FORCE)" if backend == "postgresql" else ""
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    url = SERVERS[backend].rsplit("/", 1)[0] + "/" + name
    script = workdir / f"{name}.sql"
    script.write_text(ddl)
    if backend == "postgresql":
        command = [
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url.replace("postgresql://", "postgresql://"),
            "-f",
            str(script),
        ]
        subprocess.run(command, check=True, capture_output=True)
    else:
        from sqlalchemy.engine import make_url

        u = make_url(url)
        with script.open("rb") as stdin:
            subprocess.run(
                [
                    "mysql",
                    "-h",
                    u.host or "127.0.0.1",
                    "-P",
                    str(u.port or 3306),
                    "-u",
                    u.username or "root",
                    name,
                ],
                stdin=stdin,
                check=True,
                capture_output=True,
            )
    return url


def drop(backend: str, name: str) -> None:
    if backend == "sqlite":
        return
    import sqlalchemy

    from dbshift.connection import parse_url

    admin = sqlalchemy.create_engine(parse_url(SERVERS[backend]), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        force = " WITH (FORCE)" if backend == "postgresql" else ""
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
    admin.dispose()


#: The tools run with a bytecode cache, as installed packages have one (pip compiles them):
#: under PYTHONDONTWRITEBYTECODE an editable install compiles dbshift's modules every run
#: (0.4 s of a diff on this box). The same for every tool, so no one is favoured.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = str(RESULTS / "pycache")


def timed(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system: steadier than wall time
    on a busy machine) of one child process (GNU time's %M %U %S)."""
    start = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M %U %S", *command],
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1, 2):  # 1 or 2: "differences found" (diff --exit-code, migra)
        raise SystemExit(f"bench: {' '.join(command[:2])} failed: {result.stderr.strip()[-800:]}")
    peak_kb, user, system = result.stderr.strip().splitlines()[-1].split()
    return elapsed, int(peak_kb) / 1024, float(user) + float(system)


def sa_url(raw: str) -> str:
    from dbshift.connection import parse_url

    return parse_url(raw).render_as_string(hide_password=False)


def run_backend(backend: str, n: int, repeat: int, workdir: Path) -> dict[str, list[float]]:
    a = build(backend, "dbshift_bench_a", schema_sql(n, backend, changed=False), workdir)
    b = build(backend, "dbshift_bench_b", schema_sql(n, backend, changed=True), workdir)
    cases = {
        "dbshift diff": [str(BIN / "dbshift"), "diff", "--from", a, "--to", b, "--format", "sql"],
        "alembic compare_metadata": [sys.executable, "-c", ALEMBIC_SCRIPT, sa_url(a), sa_url(b)],
    }
    if backend == "postgresql" and shutil.which(str(BIN / "migra")):
        cases["migra"] = [
            str(BIN / "migra"),
            "--unsafe",
            a.replace("postgresql://", "postgresql+psycopg2://"),
            b.replace("postgresql://", "postgresql+psycopg2://"),
        ]
    samples: dict[str, list[float]] = {}
    print(f"  load average {os.getloadavg()[0]:.1f}; wall median (min), CPU median, peak RSS")
    for name, command in cases.items():
        timed(command)  # warm: bytecode cache, server caches
        runs = [timed(command) for _ in range(repeat)]
        samples[name] = [t for t, _, _ in runs]
        samples[f"{name} peak MB"] = [m for _, m, _ in runs]
        samples[f"{name} cpu s"] = [c for _, _, c in runs]
        print(
            f"  {name:<28} {statistics.median(samples[name]):7.2f} s ({min(samples[name]):.2f})"
            f"  cpu {statistics.median(samples[name + ' cpu s']):5.2f} s"
            f"  {max(samples[name + ' peak MB']):7.0f} MB",
            flush=True,
        )
    drop(backend, "dbshift_bench_a")
    drop(backend, "dbshift_bench_b")
    base = statistics.median(samples["dbshift diff"])
    for name in cases:
        if name != "dbshift diff":
            print(f"  {name} / dbshift: {statistics.median(samples[name]) / base:.1f}x")
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--tables", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--backend", choices=["postgresql", "mysql", "sqlite", "all"], default="all"
    )
    parser.add_argument(
        "--large", type=int, default=10000, help="tables for the dbshift-only scale run (0: skip)"
    )
    args = parser.parse_args()
    workdir = RESULTS / "diff-work"
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, list[float]]] = {}
    for backend in ["postgresql", "mysql", "sqlite"] if args.backend == "all" else [args.backend]:
        print(f"\n{backend}: {args.tables} tables, median of {args.repeat}", flush=True)
        results[backend] = run_backend(backend, args.tables, args.repeat, workdir)
    if args.large and args.backend in ("all", "postgresql"):
        print(f"\npostgresql: {args.large} tables, dbshift only", flush=True)
        a = build(
            "postgresql",
            "dbshift_bench_a",
            schema_sql(args.large, "postgresql", changed=False),
            workdir,
        )
        b = build(
            "postgresql",
            "dbshift_bench_b",
            schema_sql(args.large, "postgresql", changed=True),
            workdir,
        )
        seconds, peak, cpu = timed(
            [str(BIN / "dbshift"), "diff", "--from", a, "--to", b, "--format", "sql"]
        )
        print(
            f"  dbshift diff                 {seconds:7.2f} s  cpu {cpu:5.2f} s  {peak:7.0f} MB",
            flush=True,
        )
        results["postgresql-large"] = {"dbshift diff": [seconds], "dbshift diff peak MB": [peak]}
        drop("postgresql", "dbshift_bench_a")
        drop("postgresql", "dbshift_bench_b")
    shutil.rmtree(workdir, ignore_errors=True)
    out = RESULTS / time.strftime("diff-%Y%m%d-%H%M%S.json")
    out.write_text(json.dumps({"tables": args.tables, "samples": results}, indent=2))
    print(f"\nraw samples: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
