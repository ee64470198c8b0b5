"""Apply N migrations with dbshift and its peers on a real server, in one run, and compare.

Every tool gets the same N migrations (a table and an index each) on a fresh
database, so the figures differ only by what the tool does around the SQL:

- ``psql -1 file`` / ``mysql < file``: all statements in one client session, no history.
  The physical floor: the server's own cost of the DDL.
- ``psql tx/migration``: the same SQL, one transaction per migration plus a history insert,
  sent through one psql session. The floor for a runner with dbshift's guarantees.
- ``dbshift migrate``: the console script, from process start to exit.
- ``alembic upgrade head``: ``transaction_per_migration=True`` so its guarantee matches.
- ``yoyo apply``: SQL files, one transaction each.

Also timed: process start (``dbshift --help``, ``alembic --help``, ``python -c pass``) and
a no-op ``migrate`` over N applied migrations. Medians of ``--repeat`` runs are printed,
with ratios; raw figures go to ``bench/results/`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results"
SERVERS = {
    "postgresql": os.environ.get(
        "DBSHIFT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    ),
    "mysql": os.environ.get("DBSHIFT_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
}
BENCH_DB = "dbshift_bench"


def migration_sql(i: int, backend: str) -> list[str]:
    """The statements of migration ``i``, as the foundation issue specifies them."""
    return [
        f"CREATE TABLE t_{i} (id integer PRIMARY KEY, name varchar(100), created_at timestamp)",
        f"CREATE INDEX ix_t_{i}_name ON t_{i} (name)",
    ]


# --- servers -------------------------------------------------------------------------------


def server_url(backend: str, database: str) -> str:
    base = SERVERS[backend]
    return base.rsplit("/", 1)[0] + "/" + database


def reset_database(backend: str, *, create: bool = True) -> None:
    """Drop the bench database and, unless told not to, create it empty."""
    import sqlalchemy

    from dbshift.connection import parse_url

    engine = sqlalchemy.create_engine(parse_url(SERVERS[backend]), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if backend == "postgresql":
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        else:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        if create:
            conn.exec_driver_sql(f"CREATE DATABASE {BENCH_DB}")
    engine.dispose()


def client_command(backend: str) -> list[str]:
    """The server's own command-line client, connected to the bench database."""
    from sqlalchemy.engine import make_url

    url = make_url(server_url(backend, BENCH_DB))
    if backend == "postgresql":
        return [
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            "-d",
            BENCH_DB,
        ]
    return [
        "mysql",
        "-h",
        url.host or "127.0.0.1",
        "-P",
        str(url.port or 3306),
        "-u",
        url.username or "root",
        BENCH_DB,
    ]


# --- migration sets, one per tool ----------------------------------------------------------


def write_dbshift(root: Path, n: int, backend: str) -> Path:
    folder = root / "dbshift"
    folder.mkdir()
    for i in range(1, n + 1):
        body = ";\n".join(migration_sql(i, backend))
        (folder / f"{i:04d}_create_t{i:04d}.sql").write_text(
            f"-- dbshift:up\n{body};\n\n-- dbshift:down\nDROP TABLE t_{i};\n"
        )
    subprocess.run(
        [str(BIN / "dbshift"), "hash", "--dir", str(folder)], check=True, capture_output=True
    )
    return folder


def write_yoyo(root: Path, n: int, backend: str) -> Path:
    folder = root / "yoyo"
    folder.mkdir()
    for i in range(1, n + 1):
        body = ";\n".join(migration_sql(i, backend))
        (folder / f"{i:04d}_create_t{i:04d}.sql").write_text(body + ";\n")
    return folder


ALEMBIC_ENV = """
from alembic import context
from sqlalchemy import create_engine

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
"""


def write_alembic(root: Path, n: int, backend: str) -> Path:
    folder = root / "alembic"
    (folder / "versions").mkdir(parents=True)
    (folder / "env.py").write_text(ALEMBIC_ENV)
    (folder / "script.py.mako").write_text("")
    (root / "alembic.ini").write_text(
        f"[alembic]\nscript_location = {folder}\nsqlalchemy.url = {driver_url(backend, BENCH_DB)}\n"
    )
    for i in range(1, n + 1):
        down = repr(f"r{i - 1:04d}") if i > 1 else "None"
        calls = "\n".join(f"    op.execute({s!r})" for s in migration_sql(i, backend))
        (folder / "versions" / f"r{i:04d}.py").write_text(
            "from alembic import op\n"
            f"revision = 'r{i:04d}'\ndown_revision = {down}\n"
            "branch_labels = None\ndepends_on = None\n\n"
            f"def upgrade():\n{calls}\n\n"
            f"def downgrade():\n    op.execute('DROP TABLE t_{i}')\n"
        )
    return root / "alembic.ini"


def write_client_script(root: Path, n: int, backend: str, *, per_migration: bool) -> Path:
    lines: list[str] = []
    if per_migration:
        lines.append(
            "CREATE TABLE history (version int PRIMARY KEY, checksum char(64), "
            "applied_at timestamp DEFAULT CURRENT_TIMESTAMP);"
        )
    for i in range(1, n + 1):
        if per_migration:
            lines.append("BEGIN;")
        lines.extend(s + ";" for s in migration_sql(i, backend))
        if per_migration:
            lines.append(f"INSERT INTO history (version, checksum) VALUES ({i}, '{'0' * 64}');")
            lines.append("COMMIT;")
    path = root / ("per_migration.sql" if per_migration else "all.sql")
    path.write_text("\n".join(lines) + "\n")
    return path


def driver_url(backend: str, database: str) -> str:
    from dbshift.connection import parse_url

    return parse_url(server_url(backend, database)).render_as_string(hide_password=False)


# --- timing ---------------------------------------------------------------------------------


def timed(command: list[str], *, cwd: Path | None = None, stdin: Path | None = None) -> float:
    handle = stdin.open("rb") if stdin else None
    try:
        start = time.perf_counter()
        result = subprocess.run(
            command, cwd=cwd, stdin=handle, capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - start
    finally:
        if handle:
            handle.close()
    if result.returncode != 0:
        raise SystemExit(
            f"bench: {' '.join(command[:3])} failed ({result.returncode}): "
            f"{(result.stderr or result.stdout).strip()[:500]}"
        )
    return elapsed


def median_of(repeat: int, run: Callable[[], float]) -> tuple[float, list[float]]:
    samples = [run() for _ in range(repeat)]
    return statistics.median(samples), samples


def bench_backend(backend: str, n: int, repeat: int, root: Path) -> dict[str, list[float]]:
    dbshift_dir = write_dbshift(root, n, backend)
    yoyo_dir = write_yoyo(root, n, backend)
    alembic_ini = write_alembic(root, n, backend)
    all_sql = write_client_script(root, n, backend, per_migration=False)
    per_sql = write_client_script(root, n, backend, per_migration=True)
    client = client_command(backend)
    url = server_url(backend, BENCH_DB)
    single = [*client, "-1"] if backend == "postgresql" else client

    def fresh(command: list[str], **kw: Path) -> Callable[[], float]:
        def run() -> float:
            reset_database(backend)
            return timed(command, **kw)

        return run

    yoyo = [str(BIN / "yoyo"), "apply", "--batch", "--no-config-file"]
    yoyo += ["--database", yoyo_url(backend), str(yoyo_dir)]
    dbshift = [str(BIN / "dbshift"), "migrate", "--url", url, "--dir", str(dbshift_dir)]
    cases: dict[str, Callable[[], float]] = {
        "client, one session (floor)": fresh(single, stdin=all_sql),
        "client, autocommit": fresh(client, stdin=all_sql),
        "client, tx/migration + history": fresh(client, stdin=per_sql),
        "dbshift migrate": fresh(dbshift),
        "alembic upgrade head": fresh(
            [str(BIN / "alembic"), "-c", str(alembic_ini), "upgrade", "head"], cwd=root
        ),
        "yoyo apply": fresh(yoyo),
    }
    samples: dict[str, list[float]] = {}
    for name, run in cases.items():
        _, samples[name] = median_of(repeat, run)
        print(f"  {name:<34} {statistics.median(samples[name]):8.2f} s", flush=True)
    # A no-op migrate over N applied migrations: what every deploy pays.
    reset_database(backend)
    timed(dbshift)
    _, samples["dbshift migrate, nothing to do"] = median_of(repeat, lambda: timed(dbshift))
    reset_database(backend)
    timed([str(BIN / "alembic"), "-c", str(alembic_ini), "upgrade", "head"], cwd=root)
    _, samples["alembic upgrade head, nothing to do"] = median_of(
        repeat,
        lambda: timed([str(BIN / "alembic"), "-c", str(alembic_ini), "upgrade", "head"], cwd=root),
    )
    return samples


def yoyo_url(backend: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(server_url(backend, BENCH_DB))
    scheme = "postgresql+psycopg" if backend == "postgresql" else "mysql"
    auth = url.username or ""
    return f"{scheme}://{auth}@{url.host}:{url.port or ''}/{BENCH_DB}"


def bench_startup(repeat: int) -> dict[str, list[float]]:
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "dbshift --help": [str(BIN / "dbshift"), "--help"],
        "alembic --help": [str(BIN / "alembic"), "--help"],
        "yoyo --help": [str(BIN / "yoyo"), "--help"],
    }
    out: dict[str, list[float]] = {}
    for name, command in commands.items():
        timed(command)  # warm the page cache and .pyc files
        _, out[name] = median_of(repeat, lambda command=command: timed(command))
    return out


def report(title: str, samples: dict[str, list[float]], base: str, unit: float = 1.0) -> None:
    print(f"\n{title}")
    reference = statistics.median(samples[base])
    for name, values in samples.items():
        value = statistics.median(values)
        suffix = "ms" if unit == 1000 else "s"
        print(
            f"  {name:<38} {value * unit:9.2f} {suffix}   {value / reference:6.2f}x {base}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--migrations", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=[*SERVERS, "all"], default="all")
    args = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {}

    startup = bench_startup(max(args.repeat, 10))
    results["startup"] = startup
    report("process start (median of 10+)", startup, "python -c pass", unit=1000)

    for backend in SERVERS if args.backend == "all" else [args.backend]:
        if backend == "postgresql" and not shutil.which("psql"):
            print("\nbench: psql not found; skipping PostgreSQL", file=sys.stderr)
            continue
        if backend == "mysql" and not shutil.which("mysql"):
            print("\nbench: mysql client not found; skipping MySQL", file=sys.stderr)
            continue
        print(f"\n{backend}: {args.migrations} migrations, median of {args.repeat}")
        with tempfile.TemporaryDirectory() as tmp:
            samples = bench_backend(backend, args.migrations, args.repeat, Path(tmp))
        results[backend] = samples
        report(f"{backend} (ratios against dbshift)", samples, "dbshift migrate")
        report(
            f"{backend} (ratios against the floor)",
            {k: v for k, v in samples.items() if "nothing" not in k},
            "client, tx/migration + history",
        )
        reset_database(backend, create=False)

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / time.strftime("migrate-%Y%m%d-%H%M%S.json")
    out.write_text(json.dumps({"migrations": args.migrations, "samples": results}, indent=2))
    print(f"\nraw samples: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
