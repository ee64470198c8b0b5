"""Backup and restore of a PostgreSQL database of about 500 MB: dbshift against the bare tools.

- ``pg_dump -Fc -f FILE`` against ``dbshift backup`` (the same dump, plus row counts in
  the exported snapshot, sha256 of the file and the manifest);
- ``pg_restore -d EMPTY FILE`` against ``dbshift restore ID --to EMPTY`` (checksums
  verified first, one transaction, rows counted back).

Each is the whole process, start to exit, run alternately ``--repeat`` times; medians and
the ratio are printed. The target is a ratio of at most 1.1 for both.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results"
BASE = os.environ.get("DBSHIFT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB = "dbshift_bench_backup"


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-X", "-qAt", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def url(database: str) -> str:
    return BASE.rsplit("/", 1)[0] + "/" + database


def build(mb: int) -> int:
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    rows = mb * 1_000_000 // 160
    psql(
        "CREATE TABLE accounts (id integer PRIMARY KEY, name text NOT NULL, created timestamptz NOT NULL);"
        "CREATE TABLE payments (id bigint PRIMARY KEY, account_id integer NOT NULL REFERENCES accounts, "
        "amount numeric(12, 2) NOT NULL, note text, at timestamptz NOT NULL);"
        "INSERT INTO accounts SELECT g, 'account ' || g, now() - g * interval '1 minute' "
        "FROM generate_series(1, 100000) g;"
        f"INSERT INTO payments SELECT g, 1 + g % 100000, (g % 100000) / 100.0, "
        f"md5(g::text) || ' ' || md5((g * 7)::text), now() - g * interval '1 second' "
        f"FROM generate_series(1, {rows}) g;"
        "CREATE INDEX payments_account ON payments (account_id);",
        DB,
    )
    psql("VACUUM ANALYZE", DB)
    return int(psql("SELECT pg_database_size(current_database())", DB))


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    began = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.strip()}")
    return elapsed, proc.stdout


def empty(name: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=500, help="database size to build (MB)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    size = build(args.mb)
    print(f"database {DB}: {size / 1e6:.0f} MB (pg_database_size)", flush=True)
    work = Path(tempfile.mkdtemp(prefix="dbshift-bench-backup-"))
    env = dict(os.environ, PGHOST="127.0.0.1", PGUSER="postgres")
    samples: dict[str, list[float]] = {
        k: [] for k in ("pg_dump", "backup", "pg_restore", "restore")
    }
    dbshift = [str(BIN / "dbshift"), "--backup-dir", str(work / "backups")]
    try:
        for i in range(args.repeat):
            dump = work / f"bare{i}.pgc"
            t, _ = timed(["pg_dump", "-Fc", "-f", str(dump), DB], work, env)
            samples["pg_dump"].append(t)
            t, out = timed([*dbshift[:1], "backup", *dbshift[1:], "--url", url(DB)], work)
            samples["backup"].append(t)
            backup_id = re.search(r"backup (\S+):", out).group(1)  # type: ignore[union-attr]
            empty(DB + "_r1")
            t, _ = timed(["pg_restore", "-d", DB + "_r1", str(dump)], work, env)
            samples["pg_restore"].append(t)
            empty(DB + "_r2")
            t, _ = timed(
                [
                    *dbshift[:1],
                    "restore",
                    backup_id,
                    *dbshift[1:],
                    "--url",
                    url(DB),
                    "--to",
                    url(DB + "_r2"),
                ],
                work,
            )
            samples["restore"].append(t)
            print(
                f"run {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in samples.items()),
                flush=True,
            )
        med = {k: statistics.median(v) for k, v in samples.items()}
        print(
            f"\nbackup  dbshift {med['backup']:.2f}s  pg_dump -Fc {med['pg_dump']:.2f}s  "
            f"ratio {med['backup'] / med['pg_dump']:.2f}x"
        )
        print(
            f"restore dbshift {med['restore']:.2f}s  pg_restore  {med['pg_restore']:.2f}s  "
            f"ratio {med['restore'] / med['pg_restore']:.2f}x"
        )
        dump_size = (work / "bare0.pgc").stat().st_size
        print(f"(dump file {dump_size / 1e6:.0f} MB; medians of {args.repeat} runs)")
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "backup.json").write_text(
            json.dumps({"size": size, "samples": samples}, indent=2)
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for name in (DB, DB + "_r1", DB + "_r2"):
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
