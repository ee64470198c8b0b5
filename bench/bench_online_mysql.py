"""An online column type change on a large MariaDB table: dbshift vs pt-online-schema-change.

In one run, on three identical InnoDB tables of N rows (default 1,000,000; ``id bigint``
primary key, ``amount int NOT NULL``, ``note varchar(64)``, an index on ``amount``):

1. the workload alone (pgbench-style: each client updates a random row, reads it back and
   inserts a row, in one short transaction) for a few seconds: latency p50/p99, errors;
2. ``pt-online-schema-change --alter "MODIFY COLUMN amount BIGINT NOT NULL"`` on one table
   while the workload runs on it: wall time, workload p50/p99 during, errors;
3. ``dbshift online start`` + ``dbshift online complete --force`` making the same change on
   another table while the workload runs on it: wall time, workload p50/p99 during, errors;
4. for contrast, a plain ``ALTER TABLE ... MODIFY COLUMN amount BIGINT NOT NULL`` (MariaDB
   copies the table for int -> bigint, writers wait) on the third table under the same
   workload: its duration and the workload's worst latency.

It prints dbshift/pt-osc for the wall time and each tool's p99 during vs before.
pt-online-schema-change (Debian package percona-toolkit) is not installed by the bench; when
it is not on PATH that peer is skipped with a hint. ``--skip-dbshift`` leaves dbshift out.

    bench/run.sh online-mysql [--rows N] [--clients 4] [--seconds 5] [--skip-dbshift]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pymysql
import workload

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results"
ADMIN = os.environ.get("DBSHIFT_BENCH_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
#: The bench's database (``DBSHIFT_BENCH_DB``: another name, e.g. on a shared server).
DB = os.environ.get("DBSHIFT_BENCH_DB", "dbshift_bench_online")
PT_TABLE, DBSHIFT_TABLE, PLAIN_TABLE = "accounts_pt", "accounts", "accounts_plain"
ALTER = "MODIFY COLUMN amount BIGINT NOT NULL"
MIGRATION = """safety_period = 0
[[operations]]
type = "alter_column"
table = "{table}"
column = "amount"
data_type = "bigint"
not_null = true
"""
MIGRATION_NAME = "1_amount_bigint"


def _url(database: str) -> str:
    base, _, _ = ADMIN.rpartition("/")
    return f"{base}/{database}"


def _params(database: str | None = None) -> dict[str, object]:
    parts = urlsplit(ADMIN)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "user": unquote(parts.username or "root"),
        "password": unquote(parts.password or ""),
        "database": database,
    }


def _connect(database: str | None = DB, autocommit: bool = True) -> pymysql.Connection:
    return pymysql.connect(**_params(database), autocommit=autocommit)  # type: ignore[arg-type]


def _sql(sql: str, database: str | None = DB) -> list[tuple]:
    conn = _connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        conn.close()


def drop_databases() -> None:
    """The bench's database and any version databases dbshift made beside it."""
    names = _sql(f"SHOW DATABASES LIKE '{DB}%'", None)
    for (name,) in names:
        if name == DB or name.startswith(f"{DB}_"):
            _sql(f"DROP DATABASE IF EXISTS `{name}`", None)


def setup(rows: int) -> None:
    drop_databases()
    _sql(f"CREATE DATABASE {DB}", None)
    _sql(
        f"CREATE TABLE {DBSHIFT_TABLE} (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        f"amount int NOT NULL, note varchar(64), KEY {DBSHIFT_TABLE}_amount (amount)) "
        f"ENGINE=InnoDB"
    )
    # The SEQUENCE engine's seq_1_to_N: one INSERT ... SELECT, no round trips per row.
    _sql(
        f"INSERT INTO {DBSHIFT_TABLE} (id, amount, note) "
        f"SELECT seq, seq % 1000, concat('note ', seq) FROM seq_1_to_{rows}"
    )
    for table in (PT_TABLE, PLAIN_TABLE):
        _sql(f"CREATE TABLE {table} LIKE {DBSHIFT_TABLE}")
        _sql(f"INSERT INTO {table} SELECT * FROM {DBSHIFT_TABLE}")
    for table in (DBSHIFT_TABLE, PT_TABLE, PLAIN_TABLE):
        _sql(f"ANALYZE TABLE {table}")


def column_type(table: str) -> str:
    rows = _sql(
        "SELECT column_type, is_nullable FROM information_schema.columns "
        f"WHERE table_schema = '{DB}' AND table_name = '{table}' AND column_name = 'amount'"
    )
    if not rows:
        return "(no column)"
    kind, nullable = rows[0]
    return f"{kind}{' NOT NULL' if nullable == 'NO' else ''}"


class Workload(workload.Workload):
    """MariaDB clients through PyMySQL, one transaction each iteration."""

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        conn = _connect(autocommit=False)
        while not self._stop.is_set():
            row = rng.randint(1, self.rows)
            began = time.perf_counter()
            try:
                with conn.cursor() as cur:
                    cur.execute(f"UPDATE {self.table} SET amount = amount + 1 WHERE id = %s", [row])
                    cur.execute(f"SELECT amount, note FROM {self.table} WHERE id = %s", [row])
                    cur.fetchall()
                    cur.execute(f"INSERT INTO {self.table} (amount, note) VALUES (1, 'bench')")
                conn.commit()
            except Exception as exc:
                self._error(exc)
                # A failed transaction still made its client wait: count the wait.
                mine.append(time.perf_counter() - began)
                try:
                    conn.rollback()
                except Exception:
                    conn.close()
                    conn = _connect(autocommit=False)
                continue
            mine.append(time.perf_counter() - began)
        conn.close()
        self._record(mine)


def load() -> str:
    """The machine's load average: figures from a busy machine are noisy."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_pt_osc(args: argparse.Namespace) -> dict[str, object]:
    exe = shutil.which("pt-online-schema-change")
    if exe is None:
        print(
            "pt-online-schema-change not on PATH: skipping it. Install it with\n"
            "    apt-get install -y percona-toolkit   (brings libdbd-mysql-perl, its driver)",
            file=sys.stderr,
        )
        return {"skipped": "pt-online-schema-change not on PATH"}
    p = _params()
    dsn = f"D={DB},t={PT_TABLE},h={p['host']},P={p['port']},u={p['user']}"
    if p["password"]:
        dsn += f",p={p['password']}"
    cmd = [
        exe,
        "--alter",
        ALTER,
        dsn,
        "--execute",
        "--no-check-alter",
        "--recursion-method=none",
        "--no-version-check",
        "--chunk-time",
        str(args.target_ms / 1000),
    ]
    with Workload(args.clients, args.rows, PT_TABLE) as during:
        time.sleep(0.5)
        began = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
        time.sleep(0.5)
    result: dict[str, object] = {
        "wall_s": wall,
        "returncode": proc.returncode,
        "workload": during.summary(),
        "column_after": column_type(PT_TABLE),
        "command": " ".join(cmd),
        "output": _tail(proc.stdout, 12),
    }
    if proc.returncode != 0:
        result["failed"] = _tail(proc.stderr or proc.stdout)
        print(f"pt-online-schema-change failed:\n{result['failed']}", file=sys.stderr)
    return result


def _dbshift(*args: str, cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    began = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "dbshift"), "online", *args, "--url", _url(DB)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    return time.perf_counter() - began, proc


def run_dbshift(args: argparse.Namespace) -> dict[str, object]:
    result: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="dbshift_bench_online_") as tmp:
        path = Path(tmp) / f"{MIGRATION_NAME}.toml"
        path.write_text(MIGRATION.format(table=DBSHIFT_TABLE), encoding="utf-8")
        with Workload(args.clients, args.rows, DBSHIFT_TABLE) as during:
            time.sleep(0.5)
            start_s, start = _dbshift(
                "start", str(path), "--target-ms", str(args.target_ms), cwd=Path(tmp)
            )
            complete_s, complete = None, None
            if start.returncode == 0:
                complete_s, complete = _dbshift(
                    "complete", MIGRATION_NAME, "--force", cwd=Path(tmp)
                )
            time.sleep(0.5)
    result["start_s"] = start_s
    result["start_output"] = _tail(start.stdout + start.stderr, 20)
    if start.returncode != 0:
        result["failed"] = f"online start: {_tail(start.stderr or start.stdout)}"
    elif complete is not None:
        result["complete_s"] = complete_s
        result["complete_output"] = _tail(complete.stdout + complete.stderr, 20)
        if complete.returncode != 0:
            result["failed"] = f"online complete: {_tail(complete.stderr or complete.stdout)}"
        else:
            result["wall_s"] = start_s + (complete_s or 0.0)
    result["workload"] = during.summary()
    result["column_after"] = column_type(DBSHIFT_TABLE)
    if "failed" in result:
        print(f"dbshift {result['failed']}", file=sys.stderr)
    return result


def run_plain(args: argparse.Namespace) -> dict[str, object]:
    with Workload(args.clients, args.rows, PLAIN_TABLE) as plain:
        time.sleep(0.5)
        began = time.perf_counter()
        _sql(f"ALTER TABLE {PLAIN_TABLE} {ALTER}")
        alter_s = time.perf_counter() - began
        time.sleep(0.5)
    return {
        "wall_s": alter_s,
        "workload": plain.summary(),
        "column_after": column_type(PLAIN_TABLE),
    }


def _line(label: str, s: dict[str, object]) -> str:
    def ms(key: str) -> float:
        value = s.get(key, 0.0)
        return float(value) if isinstance(value, int | float) else 0.0

    return (
        f"{label:44} p50 {ms('p50_ms'):6.2f} ms  p99 {ms('p99_ms'):8.2f} ms  "
        f"max {ms('max_ms'):8.1f} ms  {s['transactions']:>7} tx  {s['errors']} errors"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--skip-dbshift", action="store_true", help="leave dbshift online out")
    parser.add_argument(
        "--target-ms",
        type=float,
        default=25.0,
        help="copy chunk latency target for both tools, ms (dbshift --target-ms, pt-osc "
        "--chunk-time); 25 is dbshift's default on MariaDB, whose AUTO-INC lock makes "
        "inserts wait for a whole chunk",
    )
    parser.add_argument("--skip-pt-osc", action="store_true", help="leave pt-osc out")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    print(f"{load()} at the start", flush=True)
    print(f"setting up {args.rows:,} rows x 3 tables in {DB} ...", flush=True)
    began = time.perf_counter()
    setup(args.rows)
    print(f"  filled in {time.perf_counter() - began:.1f} s", flush=True)

    with Workload(args.clients, args.rows, DBSHIFT_TABLE) as before:
        time.sleep(args.seconds)
    b = before.summary()

    pt: dict[str, object] = {"skipped": "--skip-pt-osc"}
    if not args.skip_pt_osc:
        print("pt-online-schema-change under the workload ...", flush=True)
        pt = run_pt_osc(args)
        pt["load"] = load()
    ds: dict[str, object] = {"skipped": "--skip-dbshift"}
    if not args.skip_dbshift:
        print("dbshift online start + complete under the workload ...", flush=True)
        ds = run_dbshift(args)
        ds["load"] = load()
    print("plain ALTER TABLE under the workload ...", flush=True)
    plain = run_plain(args)

    print()
    print(f"{'':44} {'value':>12}")
    for label, r in (
        ("pt-online-schema-change", pt),
        ("dbshift online start + complete", ds),
        ("plain ALTER TABLE (COPY)", plain),
    ):
        if "skipped" in r:
            print(f"{label:44} {'skipped':>12}   ({r['skipped']})")
        elif "wall_s" in r:
            print(f"{label:44} {r['wall_s']:>10.2f} s   amount is now {r['column_after']}")
        else:
            print(f"{label:44} {'failed':>12}   ({str(r.get('failed', '')).splitlines()[0]})")
    if "start_s" in ds and "complete_s" in ds:
        print(
            f"{'  dbshift online start / complete':44} {ds['start_s']:>10.2f} s / {ds['complete_s']:.2f} s"
        )
    print()
    print(_line("workload before", b))
    for label, r in (
        ("workload during pt-online-schema-change", pt),
        ("workload during dbshift online", ds),
        ("workload during plain ALTER", plain),
    ):
        if "workload" in r:
            print(_line(label, r["workload"]))  # type: ignore[arg-type]
    print()
    p99_before = float(b.get("p99_ms", 0.0))  # type: ignore[arg-type]
    ratios: dict[str, float] = {}
    for key, label, r in (("pt_osc", "pt-osc", pt), ("dbshift", "dbshift", ds)):
        w = r.get("workload")
        if isinstance(w, dict) and p99_before and "p99_ms" in w and "wall_s" in r:
            ratios[f"{key}_p99_vs_before"] = w["p99_ms"] / p99_before
            print(
                f"{'p99 during ' + label + ' / before':44} {ratios[f'{key}_p99_vs_before']:>10.2f} x"
            )
    if "wall_s" in pt and "wall_s" in ds and pt.get("returncode") == 0:
        ratios["dbshift_vs_pt_osc_time"] = float(ds["wall_s"]) / float(pt["wall_s"])  # type: ignore[arg-type]
        print(f"{'wall time dbshift / pt-osc':44} {ratios['dbshift_vs_pt_osc_time']:>10.2f} x")
    pw = plain["workload"]
    print(
        f"{'plain ALTER under the workload':44} {plain['wall_s']:>10.2f} s, worst transaction "
        f"{pw.get('max_ms', 0.0):.0f} ms (writers wait for the copy)"  # type: ignore[union-attr]
    )
    for label, r in (("before", {"workload": b}), ("pt-osc", pt), ("dbshift", ds)):
        w = r.get("workload")
        if isinstance(w, dict) and w.get("error_kinds"):
            print(f"errors during {label}: {w['error_kinds']}")
    out = RESULTS / "online_mysql.json"
    out.write_text(
        json.dumps(
            {
                "rows": args.rows,
                "clients": args.clients,
                "seconds": args.seconds,
                "before": b,
                "pt_osc": pt,
                "dbshift": ds,
                "plain_alter": plain,
                "ratios": ratios,
            },
            indent=2,
        )
    )
    print(
        f"load: after pt-osc, after dbshift, at the end: {pt.get('load')} | {ds.get('load')} | {load()}"
    )
    print(f"\nwrote {out}")
    drop_databases()


if __name__ == "__main__":
    sys.exit(main())
