"""An online column type change on a large PostgreSQL table under a live workload.

In one run, on a table of N rows (default 1,000,000):

1. the physical limit: one bare ``UPDATE`` converting every row into a new column, on an
   identical copy of the table, with nothing else running;
2. the workload alone (pgbench-style: each client updates a random row, reads it back and
   inserts a row, in one transaction) for a few seconds: latency p50/p99, errors;
3. ``dbshift online start`` changing ``amount integer -> bigint`` while the workload runs:
   backfill throughput (rows/s) and its ratio to the bare UPDATE, workload p99 during vs
   before, workload errors; then ``dbshift online complete``;
4. the floor: after start, with the dual-write triggers still in place and the old
   version's clients still running, a "backfill that only sleeps" (one session in
   ``pg_sleep`` for as long as the backfill took, writing nothing): what the workload's p99
   is on this machine, at this moment, without the backfill's writes. On a 2-core machine
   shared with other work, p99 during / this floor says what the backfill itself costs;
5. the write line: the same conversion as plain keyset batches at full speed (no dbshift,
   no triggers, no pacing, ``synchronous_commit = off``) on the copy under the same
   workload, once per batch size (500, 1,000, 2,000, 5,000 rows): the p99 any backfill
   that writes in batches of that size costs the workload here, and the throughput it
   reaches. Where no size is at or under 2x p99 and at or over 0.7x throughput at once,
   no batched backfill meets both targets on this machine. Then the bare UPDATE with a
   dual-write trigger like dbshift's present (never firing): the per-row cost of any
   trigger-based engine (PostgreSQL locks each row before a BEFORE UPDATE trigger);
6. for contrast, a plain ``ALTER TABLE ... ALTER COLUMN amount TYPE bigint`` on the copy under
   the same workload: its duration and the workload's worst latency (writers wait for it).

Targets (issue): backfill >= 0.7x the bare UPDATE, p99 during <= 2x before, 0 errors.
The load average is printed with each phase: figures from a busy machine are noisy.

    bench/run.sh online [--rows N] [--clients 4] [--seconds 5] [--max-load running=3]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import workload

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results"
ADMIN = os.environ.get(
    "DBSHIFT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
#: The bench's database (``DBSHIFT_BENCH_DB``: another name, e.g. on a shared server).
DB = os.environ.get("DBSHIFT_BENCH_DB", "dbshift_bench_online")
#: The workload's sessions, as ``pg_stat_activity`` names them (the ``Waits`` sampler).
WORKLOAD_APP = "dbshift-bench-workload"
MIGRATION = """safety_period = 0
[[operations]]
type = "alter_column"
table = "accounts"
column = "amount"
data_type = "bigint"
not_null = true
"""


def _url(database: str) -> str:
    base, _, _ = ADMIN.rpartition("/")
    return f"{base}/{database}"


def _conninfo(url: str) -> str:
    rest = url.split("://", 1)[1]
    user, _, hostpart = rest.rpartition("@")
    hostport, _, dbname = hostpart.partition("/")
    host, _, port = hostport.partition(":")
    return f"host={host} port={port or 5432} dbname={dbname} user={user or 'postgres'}"


def _sql(url: str, sql: str) -> None:
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute(sql)


def setup(rows: int) -> None:
    _sql(ADMIN, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    _sql(ADMIN, f"CREATE DATABASE {DB}")
    for table in ("accounts", "accounts_copy"):
        _sql(
            _url(DB),
            f"CREATE TABLE {table} (id bigserial PRIMARY KEY, amount integer NOT NULL, "
            f"note text NOT NULL DEFAULT 'x'); "
            f"INSERT INTO {table} (amount) SELECT g % 1000 FROM generate_series(1, {rows}) g",
        )
        _sql(_url(DB), f"VACUUM ANALYZE {table}")


class Workload(workload.Workload):
    """PostgreSQL clients, optionally through a version schema (``search_path``)."""

    def __init__(self, clients: int, rows: int, table: str, search_path: str = "public") -> None:
        super().__init__(clients, rows, table)
        self.search_path = search_path

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        with psycopg.connect(
            _conninfo(_url(DB)), autocommit=True, application_name=WORKLOAD_APP
        ) as conn:
            conn.execute(f"SET search_path TO {self.search_path}")
            while not self._stop.is_set():
                row = rng.randint(1, self.rows)
                began = time.perf_counter()
                try:
                    with conn.transaction():
                        conn.execute(
                            f"UPDATE {self.table} SET amount = amount + 1 WHERE id = %s", [row]
                        )
                        conn.execute(f"SELECT amount, note FROM {self.table} WHERE id = %s", [row])
                        conn.execute(f"INSERT INTO {self.table} (amount) VALUES (1)")
                except Exception as exc:
                    self._error(exc)
                    # A failed transaction still made its client wait: count the wait.
                    mine.append(time.perf_counter() - began)
                    continue
                mine.append(time.perf_counter() - began)
        self._record(mine)


class Waits:
    """What the workload's sessions wait on while it runs: ``pg_stat_activity`` sampled
    every 20 ms (wait_event_type:wait_event of each active workload session; ``CPU`` when
    it waits on nothing). Lock:transactionid is a row lock: a writer queued behind another
    transaction, the backfill's or a client's."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Waits:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        with psycopg.connect(_conninfo(_url(DB)), autocommit=True) as conn:
            while not self._stop.wait(0.02):
                rows = conn.execute(
                    "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') "
                    "FROM pg_stat_activity WHERE application_name = %s AND state = 'active'",
                    [WORKLOAD_APP],
                ).fetchall()
                self.samples += 1
                self.counts.update(str(r[0]) for r in rows)

    def summary(self) -> str:
        """The commonest waits as a share of samples: ``Lock:transactionid 0.41``
        means 0.41 workload sessions were waiting on a row lock, on average."""
        n = max(1, self.samples)
        return ", ".join(f"{k} {v / n:.2f}" for k, v in self.counts.most_common(5)) or "none"


def bare_update() -> float:
    """One UPDATE converting every row of the copy into a new column (then undone)."""
    with psycopg.connect(_conninfo(_url(DB)), autocommit=True) as conn:
        conn.execute("ALTER TABLE accounts_copy ADD COLUMN amount_new bigint")
        began = time.perf_counter()
        conn.execute("UPDATE accounts_copy SET amount_new = amount")
        elapsed = time.perf_counter() - began
        conn.execute("ALTER TABLE accounts_copy DROP COLUMN amount_new")
        conn.execute("VACUUM FULL accounts_copy")
    return elapsed


def bare_under_workload(args: argparse.Namespace) -> float:
    """The bare UPDATE under the workload, timed now: a ratio to one measured minutes
    earlier, on a shared machine whose load moved meanwhile, says more about the load."""
    with Workload(args.clients, args.rows, "accounts_copy"):
        time.sleep(0.5)
        return bare_update()


def dbshift(*args: str) -> tuple[float, str]:
    began = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "dbshift"), "online", *args, "--url", _url(DB)],
        capture_output=True,
        text=True,
        cwd=RESULTS,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"dbshift online {args[0]} failed: {proc.stderr.strip()}")
    return time.perf_counter() - began, proc.stdout


def backfill_state(name: str = "1_amount_bigint") -> dict[str, object]:
    with psycopg.connect(_conninfo(_url(DB)), autocommit=True) as conn:
        row = conn.execute("SELECT backfill FROM dbshift_online WHERE name = %s", [name]).fetchone()
    assert row is not None
    state: dict[str, object] = json.loads(row[0])["accounts"]
    return state


def _waited(state: dict[str, object]) -> float:
    """Seconds the backfill spent not writing: the throttle's waits (load, nice ratio)
    and the pacing's yields after batches that held writers up."""
    throttle, pacing = state.get("throttle") or {}, state.get("pacing") or {}
    return float(throttle.get("waited", 0.0)) + float(pacing.get("yielded", 0.0))  # type: ignore[union-attr]


def trial(i: int, flags: str, args: argparse.Namespace) -> None:
    """One more ``online start`` with ``flags`` under the workload, the bare UPDATE and the
    workload alone just before it (its throughput and p99 to compare with), then rolled
    back and the table rewritten (VACUUM FULL) so the next trial and the main run find it
    as the setup left it."""
    bare = bare_under_workload(args)
    name = f"{90 + i}_trial_{i}"
    (RESULTS / f"{name}.toml").write_text(MIGRATION, encoding="utf-8")
    with Workload(args.clients, args.rows, "accounts") as before, Waits() as waits_before:
        time.sleep(args.seconds)
    with Workload(args.clients, args.rows, "accounts") as during, Waits() as waits:
        time.sleep(0.5)
        dbshift("start", str(RESULTS / f"{name}.toml"), "--batch-size", "1000", *flags.split())
    state = backfill_state(name)
    dbshift("rollback", name)
    _sql(_url(DB), "VACUUM FULL accounts")
    _sql(_url(DB), "ANALYZE accounts")
    b, d = before.summary(), during.summary()
    seconds, done = float(state["seconds"]), int(state["done"])  # type: ignore[arg-type]
    waited = _waited(state)
    rate = args.rows / bare
    print(
        f"trial {i} [{flags}]: p99 {b.get('p99_ms', 0):.2f} -> {d.get('p99_ms', 0):.2f} ms "
        f"= {d.get('p99_ms', 0) / b.get('p99_ms', 1):.2f}x; throughput "
        f"{done / seconds / rate if seconds else 0:.2f}x, with waits "
        f"{done / (seconds + waited) / rate if seconds else 0:.2f}x; {state.get('batches')} "
        f"batches (bare UPDATE {bare:.2f} s); {d['errors']} errors; {load()}\n    waits before: "
        f"{waits_before.summary()}\n    waits during: {waits.summary()}\n    "
        f"{_pacing(state)}",
        flush=True,
    )


def _pacing(state: dict[str, object]) -> str:
    """The backfill's pacing as ``online status`` would show it (read here from the
    journal's copy, so the bench also runs an older dbshift that had none)."""
    raw: dict[str, float] = state.get("pacing") or {}  # type: ignore[assignment]
    if not raw:
        return "pacing: none"
    return (
        f"pacing: target {raw['target'] * 1000:.0f} ms ({raw['floor'] * 1000:g}-"
        f"{raw['ceiling'] * 1000:g}); {raw['held_batches']} of {raw['batches']} batches held "
        f"{raw['held_writers']} writers up, longest {raw['longest'] * 1000:.0f} ms; yielded "
        f"{raw['yielded']:.2f} s; {raw.get('gave_way', 0)} gave way to a row lock"
    )


#: Batch sizes of the write line (``--line-sizes``): the frontier of what batches of each
#: size cost the workload's p99 at the throughput they reach.
LINE_SIZES = (500, 1000, 2000, 5000)


def write_line(
    args: argparse.Namespace,
) -> tuple[dict[str, object], list[tuple[int, float, dict[str, object]]]]:
    """The bare conversion in keyset batches, one after another with nothing between them,
    committed without waiting for the WAL flush (as dbshift's batches are), under the
    workload on the copy: once per size in ``args.line_sizes``, after that workload alone.

    No triggers, no checkpoint, no pacing, one round trip per batch: what any backfill
    that writes these rows in batches of that size costs the workload here, and how fast
    it can go. Smaller batches hold each row lock for less time and leave the WAL in
    smaller bursts (a lower p99) but pay a round trip and a commit per batch (a lower
    throughput): where no size is at or under 2x p99 and at or over 0.7x throughput at
    once, no batched backfill meets both targets on this machine.
    Returns (workload alone, [(size, seconds, workload during)])."""
    _sql(_url(DB), "ALTER TABLE accounts_copy ADD COLUMN amount_new bigint")
    with Workload(args.clients, args.rows, "accounts_copy") as alone:
        time.sleep(args.seconds)
    line = []
    for size in args.line_sizes:
        with (
            psycopg.connect(_conninfo(_url(DB)), autocommit=True) as conn,
            Workload(args.clients, args.rows, "accounts_copy") as during,
        ):
            conn.execute("SET synchronous_commit = off")
            time.sleep(0.5)
            began = time.perf_counter()
            for low in range(0, args.rows, size):
                conn.execute(
                    "UPDATE accounts_copy SET amount_new = amount WHERE id > %s AND id <= %s",
                    [low, low + size],
                )
            elapsed = time.perf_counter() - began
        # (The clients record their latencies as they stop: summed after the block.)
        line.append((size, elapsed, during.summary()))
        # The next size starts from the table as the setup left it: no dead row versions.
        _sql(_url(DB), "ALTER TABLE accounts_copy DROP COLUMN amount_new")
        _sql(_url(DB), "VACUUM FULL accounts_copy")
        _sql(_url(DB), "ALTER TABLE accounts_copy ADD COLUMN amount_new bigint")
    _sql(_url(DB), "ALTER TABLE accounts_copy DROP COLUMN amount_new")
    _sql(_url(DB), "VACUUM FULL accounts_copy")
    return alone.summary(), line


def trigger_cost() -> tuple[float, float]:
    """The bare UPDATE alone, without and with a dual-write trigger like dbshift's on the
    table (``BEFORE INSERT OR UPDATE ... FOR EACH ROW WHEN`` the session is not the
    backfill's), the backfill's own session setting so that it never fires: PostgreSQL
    still locks every row before a BEFORE UPDATE row trigger's WHEN is read (one more WAL
    record per row), the part of the engine's throughput no batching wins back."""
    plain = bare_update()
    _sql(
        _url(DB),
        "CREATE FUNCTION bench_dual_write() RETURNS trigger LANGUAGE plpgsql AS "
        "$f$ BEGIN NEW.amount_new := NEW.amount; RETURN NEW; END $f$",
    )
    with psycopg.connect(_conninfo(_url(DB)), autocommit=True) as conn:
        conn.execute("ALTER TABLE accounts_copy ADD COLUMN amount_new bigint")
        conn.execute(
            "CREATE TRIGGER bench_dual_write BEFORE INSERT OR UPDATE ON accounts_copy "
            "FOR EACH ROW WHEN (current_setting('dbshift.backfill', true) IS DISTINCT FROM "
            "'on') EXECUTE FUNCTION bench_dual_write()"
        )
        conn.execute("SET dbshift.backfill = 'on'")
        began = time.perf_counter()
        conn.execute("UPDATE accounts_copy SET amount_new = amount")
        triggered = time.perf_counter() - began
        conn.execute("DROP TRIGGER bench_dual_write ON accounts_copy")
        conn.execute("DROP FUNCTION bench_dual_write()")
        conn.execute("ALTER TABLE accounts_copy DROP COLUMN amount_new")
        conn.execute("VACUUM FULL accounts_copy")
    return plain, triggered


def sleeping_backfill(seconds: float) -> None:
    """The floor's stand-in for the backfill: one session, there for as long, writing
    nothing."""
    with psycopg.connect(_conninfo(_url(DB)), autocommit=True) as conn:
        conn.execute("SELECT pg_sleep(%s)", [seconds])


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--target-ms",
        type=float,
        help="the backfill's per-batch latency target (default: dbshift's own)",
    )
    parser.add_argument(
        "--line-sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=list(LINE_SIZES),
        help="batch sizes of the write line, comma-separated (default: 500,1000,2000,5000)",
    )
    parser.add_argument("--max-load", help="dbshift online start --max-load (e.g. running=3)")
    parser.add_argument("--critical-load", help="dbshift online start --critical-load")
    parser.add_argument("--nice-ratio", type=float, help="dbshift online start --nice-ratio")
    parser.add_argument(
        "--trial",
        action="append",
        default=[],
        metavar="FLAGS",
        help="before the main run, one more online start with these flags (e.g. "
        "'--target-ms 20'), then rolled back: each trial prints its workload p99 against "
        "the workload's alone just before it (repeatable)",
    )
    args = parser.parse_args()
    throttle: list[str] = []
    for flag, value in (
        ("--max-load", args.max_load),
        ("--critical-load", args.critical_load),
        ("--nice-ratio", args.nice_ratio),
    ):
        if value is not None:
            throttle += [flag, str(value)]
    print(f"{load()} at the start", flush=True)
    RESULTS.mkdir(exist_ok=True)
    print(f"setting up {args.rows:,} rows x 2 tables ...", flush=True)
    setup(args.rows)
    bare_idle = bare_update()
    bare = bare_under_workload(args)
    print(
        f"bare UPDATE of {args.rows:,} rows: {bare_idle:.2f} s alone, {bare:.2f} s under the "
        f"workload ({args.rows / bare:,.0f} rows/s)"
    )

    for i, flags in enumerate(args.trial, start=1):
        trial(i, flags, args)
    if args.trial:
        bare = bare_under_workload(args)
        print(f"bare UPDATE under the workload again, after the trials: {bare:.2f} s")

    with Workload(args.clients, args.rows, "accounts") as before, Waits() as waits_before:
        time.sleep(args.seconds)
    b = before.summary()
    load_before = load()

    path = RESULTS / "1_amount_bigint.toml"
    path.write_text(MIGRATION, encoding="utf-8")
    # The old version's clients run through expand and backfill; then the new version's
    # (search_path on the version schema) replace them, as a deploy would, and run
    # through complete. Old clients are gone by complete, as the workflow requires.
    with Workload(args.clients, args.rows, "accounts") as during, Waits() as waits_during:
        time.sleep(0.5)
        start_s, _ = dbshift(
            "start",
            str(path),
            "--batch-size",
            "1000",
            *(["--target-ms", str(args.target_ms)] if args.target_ms else []),
            *throttle,
        )
        load_during = load()
    state = backfill_state()
    seconds, done = float(state["seconds"]), int(state["done"])  # type: ignore[arg-type]
    waited = _waited(state)
    # The floor: the same clients, the triggers still there, a backfill that only sleeps.
    with Workload(args.clients, args.rows, "accounts") as floor, Waits() as waits_floor:
        time.sleep(0.5)
        sleeper = threading.Thread(target=sleeping_backfill, args=(seconds + waited,))
        sleeper.start()
        sleeper.join()
        load_floor = load()
    f = floor.summary()
    with Workload(
        args.clients, args.rows, "accounts", search_path="public_1_amount_bigint, public"
    ) as after:
        time.sleep(0.5)
        complete_s, _ = dbshift("complete", "1_amount_bigint")
        time.sleep(0.5)
    d = during.summary()
    a = after.summary()

    line_alone, line = write_line(args)
    plain_s, triggered_s = trigger_cost()

    with Workload(args.clients, args.rows, "accounts_copy") as plain:
        time.sleep(0.5)
        began = time.perf_counter()
        _sql(_url(DB), "ALTER TABLE accounts_copy ALTER COLUMN amount TYPE bigint")
        alter_s = time.perf_counter() - began
        time.sleep(0.5)
    p = plain.summary()

    ratio = (done / seconds) / (args.rows / bare) if seconds else 0.0
    wall_ratio = (done / (seconds + waited)) / (args.rows / bare) if seconds else 0.0
    print()
    print(f"{'':44} {'value':>12}")
    print(f"{'online start (whole command)':44} {start_s:>10.2f} s")
    print(f"{'  backfill: rows, seconds':44} {done:>10,} {seconds:.2f} s")
    print(f"{'  waits (load, nice ratio, pacing yields)':44} {waited:>10.2f} s   {throttle or ''}")
    print(f"{'  ' + _pacing(state):44}")
    print(f"{'  backfill throughput vs bare UPDATE':44} {ratio:>10.2f} x   (target >= 0.7)")
    print(f"{'    counting the waits':44} {wall_ratio:>10.2f} x")
    print(f"{'online complete (whole command)':44} {complete_s:>10.2f} s")
    rows_out = (
        ("workload before", b),
        ("workload during online start", d),
        ("floor: triggers on, backfill only sleeps", f),
        ("new-version workload during complete", a),
        ("workload during plain ALTER", p),
    )
    for label, s in rows_out:
        print(
            f"{label:44} p50 {s.get('p50_ms', 0):6.2f} ms  p99 {s.get('p99_ms', 0):7.2f} ms  "
            f"max {s.get('max_ms', 0):8.1f} ms  {s['transactions']:>7} tx  {s['errors']} errors"
        )
    if b.get("p99_ms"):
        print(
            f"{'p99 during online / before':44} {d.get('p99_ms', 0) / b['p99_ms']:>10.2f} x   (target <= 2)"
        )
    if f.get("p99_ms"):
        print(f"{'p99 during online / floor':44} {d.get('p99_ms', 0) / f['p99_ms']:>10.2f} x")
        print(f"{'p99 floor / before':44} {f.get('p99_ms', 0) / b.get('p99_ms', 1):>10.2f} x")
    print(
        f"{'write line (bare batches, no trigger):':44} workload alone p99 "
        f"{line_alone.get('p99_ms', 0):.2f} ms"
    )
    for size, line_s, during_line in line:
        if not during_line.get("p99_ms"):
            print(
                f"{f'  {size:,}-row batches':44} over before a transaction ended: use more --rows"
            )
            continue
        print(
            f"{f'  {size:,}-row batches':44} p99 {during_line.get('p99_ms', 0):7.2f} ms = "
            f"{during_line.get('p99_ms', 0) / line_alone.get('p99_ms', 1):.2f} x at "
            f"{bare / line_s if line_s else 0:.2f} x the bare UPDATE's throughput "
            f"({during_line['errors']} errors)"
        )
    both = [
        size
        for size, line_s, during_line in line
        if line_s
        and during_line.get("p99_ms")
        and bare / line_s >= 0.7
        and during_line.get("p99_ms", 0) <= 2 * line_alone.get("p99_ms", 1)
    ]
    print(f"{'  sizes meeting both targets':44} {', '.join(f'{n:,}' for n in both) or 'none'}")
    print(
        f"{'bare UPDATE alone, trigger present':44} {triggered_s:.2f} s vs {plain_s:.2f} s "
        f"without = {plain_s / triggered_s if triggered_s else 0:.2f} x the throughput"
    )
    print(f"{'load: before, during, floor':44} {load_before} | {load_during} | {load_floor}")
    for label, w in (
        ("workload waits before", waits_before),
        ("workload waits during online start", waits_during),
        ("workload waits at the floor", waits_floor),
    ):
        print(f"{label:44} {w.summary()}")
    print(
        f"{'plain ALTER TYPE under the workload':44} {alter_s:>10.2f} s (writers wait the whole time)"
    )
    print("MariaDB vs pt-online-schema-change: bench/run.sh online-mysql")
    out = RESULTS / "online.json"
    out.write_text(
        json.dumps(
            {
                "rows": args.rows,
                "bare_update_idle_s": bare_idle,
                "bare_update_s": bare,
                "start_s": start_s,
                "complete_s": complete_s,
                "backfill_s": seconds,
                "backfill_rows": done,
                "backfill_ratio": ratio,
                "backfill_ratio_with_waits": wall_ratio,
                "throttle_waited_s": waited,
                "throttle_flags": throttle,
                "throttle": state.get("throttle"),
                "pacing": state.get("pacing"),
                "before": b,
                "during": d,
                "floor": f,
                "load": {"before": load_before, "during": load_during, "floor": load_floor},
                "waits": {
                    "before": waits_before.summary(),
                    "during": waits_during.summary(),
                    "floor": waits_floor.summary(),
                },
                "batches": state.get("batches"),
                "complete_workload": a,
                "write_line": {
                    "alone": line_alone,
                    "sizes": [
                        {
                            "rows": size,
                            "seconds": line_s,
                            "throughput_ratio": bare / line_s if line_s else 0,
                            "during": during_line,
                        }
                        for size, line_s, during_line in line
                    ],
                },
                "trigger_cost": {"without_s": plain_s, "with_s": triggered_s},
                "plain_alter_s": alter_s,
                "plain_alter_workload": p,
                "errors_during": during.errors[:10] + after.errors[:10],
            },
            indent=2,
        )
    )
    _sql(ADMIN, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
