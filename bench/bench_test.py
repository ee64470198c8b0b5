"""``dbshift test`` against pytest-alembic on the same N migrations, in one run.

Both tools get N migrations that each create a table with an index, with a down that
drops it, on the same server (PostgreSQL by default). Timed, process start to exit:

- ``dbshift test``: per migration up, down, the schema after down compared with the one
  before up (a catalog digest; the inspector and differ when it differs), up again; then
  idempotency. Also ``--locks`` (each up through ``plan``'s lock tracer).
- pytest-alembic's ``test_up_down_consistency`` (every revision up one at a time, all
  down, all up again): it runs the migrations but compares no schema, so dbshift does
  strictly more work here. pytest-alembic's experimental ``test_downgrade_leaves_no_trace``
  (the schema comparison) fails to run with SQLAlchemy 2.0.4x (its ``WrappingConnection``
  is refused by ``Dialect.has_table``), so it is not timed.

Each tool tests on a fresh scratch database it creates and drops. Medians of ``--repeat``
runs, with ratios; raw figures go to ``bench/results/test.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results"
SERVERS = {
    "postgresql": os.environ.get(
        "DBSHIFT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    ),
    "mysql": os.environ.get("DBSHIFT_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
    "sqlite": "",
}


def write_dbshift(root: Path, n: int, backend: str) -> None:
    migrations = root / "migrations"
    migrations.mkdir(parents=True)
    for i in range(1, n + 1):
        (migrations / f"{i:04d}_t_{i}.sql").write_text(
            "-- dbshift:up\n"
            f"CREATE TABLE t_{i} (id integer PRIMARY KEY, name varchar(100), created_at timestamp);\n"
            f"CREATE INDEX ix_t_{i}_name ON t_{i} (name);\n"
            "-- dbshift:down\n"
            f"DROP TABLE t_{i};\n",
            encoding="utf-8",
        )
    from dbshift.migrations import loader, sumfile

    sumfile.write(migrations, loader.scan(migrations))
    if backend == "sqlite":
        toml = 'url = "sqlite:///unused.db"\n'
    else:
        toml = f'dev_url = "{SERVERS[backend]}"\n'
    (root / "dbshift.toml").write_text(toml, encoding="utf-8")


def write_alembic(root: Path, n: int, backend: str) -> None:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n", encoding="utf-8")
    (root / "migrations" / "env.py").write_text(ENV_PY, encoding="utf-8")
    (root / "migrations" / "script.py.mako").write_text("", encoding="utf-8")
    previous = "None"
    for i in range(1, n + 1):
        revision = f"r{i:04d}"
        (versions / f"{revision}.py").write_text(
            f'"""t_{i}"""\n'
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            f"revision = {revision!r}\ndown_revision = {previous}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            "def upgrade():\n"
            f"    op.create_table('t_{i}', sa.Column('id', sa.Integer, primary_key=True),\n"
            "        sa.Column('name', sa.String(100)), sa.Column('created_at', sa.DateTime))\n"
            f"    op.create_index('ix_t_{i}_name', 't_{i}', ['name'])\n\n\n"
            "def downgrade():\n"
            f"    op.drop_table('t_{i}')\n",
            encoding="utf-8",
        )
        previous = repr(revision)
    (root / "driver.py").write_text(
        DRIVER.format(backend=backend, base=SERVERS[backend]), encoding="utf-8"
    )


#: The env.py pytest-alembic's documentation recommends: it hands over an Engine or a
#: Connection in ``config.attributes["connection"]``.
ENV_PY = """\
from alembic import context
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine


def run(connection):
    context.configure(
        connection=connection, target_metadata=MetaData(), transaction_per_migration=True
    )
    with context.begin_transaction():
        context.run_migrations()


connectable = context.config.attributes.get("connection")
if isinstance(connectable, Engine):
    with connectable.connect() as connection:
        run(connection)
else:
    run(connectable)
"""


#: pytest-alembic's own test functions, driven through its public ``runner`` (pytest-alembic
#: 0.13.1's collector does not load under pytest 9: ``TestCollector._nodeid``). The same code
#: its pytest items run, minus pytest's collection, which only flatters pytest-alembic.
DRIVER = """\
import tempfile, uuid
import sqlalchemy
import pytest_alembic
from pytest_alembic.tests.default import test_up_down_consistency

backend, base = {backend!r}, {base!r}
if backend == "sqlite":
    engine = sqlalchemy.create_engine("sqlite:///" + tempfile.mkdtemp() + "/a.db")
    admin = name = None
else:
    from dbshift.connection import parse_url
    url = parse_url(base)
    name = "pa_" + uuid.uuid4().hex[:10]
    admin = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql("CREATE DATABASE " + name)
    engine = sqlalchemy.create_engine(url.set(database=name))
try:
    with pytest_alembic.runner(pytest_alembic.Config(), engine) as runner:
        test_up_down_consistency(runner)
finally:
    engine.dispose()
    if admin is not None:
        force = " WITH (FORCE)" if backend == "postgresql" else ""
        with admin.connect() as c:
            c.exec_driver_sql("DROP DATABASE " + name + force)
        admin.dispose()
"""


#: The client's CPU seconds (user + system) of each timed run, by case: unlike the wall
#: time, barely moved by other load on the machine (the server's CPU is not in it).
CPU: dict[str, list[float]] = {}


def timed(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None, *, case: str = ""
) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(case or " ".join(argv), []).append(used)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", type=int, default=200)
    parser.add_argument(
        "--backend", "--dialect", dest="backend", choices=sorted(SERVERS), default="postgresql"
    )
    parser.add_argument(
        "--cases",
        choices=("all", "main"),
        default="all",
        help="main: only 'dbshift test' and pytest-alembic (a MariaDB run takes minutes a case)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="dbshift-bench-test-"))
    try:
        dbshift_root, alembic_root = tmp / "dbshift", tmp / "alembic"
        write_dbshift(dbshift_root, args.migrations, args.backend)
        write_alembic(alembic_root, args.migrations, args.backend)
        dbshift = [str(BIN / "dbshift"), "test", "--format", "json"]
        driver = [str(BIN / "python"), "driver.py"]
        runs: dict[str, list[float]] = {
            "dbshift test": [],
            "dbshift test --jobs 1": [],
            "dbshift test --locks": [],
            "pytest-alembic test_up_down_consistency": [],
        }
        commands = {
            "dbshift test": (dbshift, dbshift_root),
            "dbshift test --jobs 1": ([*dbshift, "--jobs", "1"], dbshift_root),
            "dbshift test --locks": ([*dbshift, "--locks"], dbshift_root),
            "pytest-alembic test_up_down_consistency": (driver, alembic_root),
        }
        if args.cases == "main":
            for extra in ("dbshift test --jobs 1", "dbshift test --locks"):
                del runs[extra], commands[extra]
        load_before = os.getloadavg()
        for _ in range(args.repeat):
            for case, (argv, cwd) in commands.items():
                runs[case].append(timed(argv, cwd, case=case))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    medians = {name: statistics.median(values) for name, values in runs.items()}
    base = medians["dbshift test"]
    print(
        f"{args.migrations} migrations on {args.backend}, median of {args.repeat} runs"
        f" (load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after;"
        " client CPU: user + system of the process)"
    )
    for name, seconds in medians.items():
        cpu = statistics.median(CPU[name])
        print(
            f"  {name:42s} {seconds:7.2f} s   {seconds / base:5.2f}x dbshift test"
            f"   client CPU {cpu:5.2f} s"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "test.json").write_text(
        json.dumps(
            {"backend": args.backend, "migrations": args.migrations, "runs": runs, "cpu": CPU},
            indent=2,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
