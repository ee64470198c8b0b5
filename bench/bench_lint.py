"""Lint 10,000 PostgreSQL statements with dbshift and squawk, in one run.

A corpus of plain .sql files (~20 statements each, the form squawk's examples take: some
wrapped in BEGIN/COMMIT, the CONCURRENTLY ones not) mixing hazardous DDL with its safe
forms, new tables with live ones, backfills and settings. Each tool is timed as a whole
process over the same files, median of ``--repeat`` runs:

- ``dbshift lint --dialect postgresql DIR`` against ``squawk DIR/*.sql`` (text reports)
- the same with ``--format json`` / ``--reporter json`` (machine reports, as in CI)

Then the findings are compared: every squawk violation should have a dbshift finding on the
same statement from a rule naming that squawk rule as its peer (the mapping of
tests/lint/test_squawk_parity.py); the unmatched ones are counted and the first few shown.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/lint/squawk.py: the parity mapping, shared

from tests.lint.squawk import OPINIONS, parse_squawk, squawk_command, unmatched  # noqa: E402

from dbshift.lint.rules import all_rules  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results"
PER_FILE = 20


def _hazards(rng: random.Random, t: str, k: int) -> list[str]:
    """Statements on an existing table ``t``: hazards and their safe forms."""
    col = f"c{k}"
    return rng.choice(
        [
            [f"CREATE INDEX {t}_{col}_idx ON {t} ({col});"],
            [f"ALTER TABLE {t} ADD COLUMN {col} text;"],
            [f"ALTER TABLE {t} ADD COLUMN {col} bigint NOT NULL;"],
            [f"ALTER TABLE {t} ADD COLUMN {col} integer NOT NULL DEFAULT 0;"],
            [f"ALTER TABLE {t} ADD COLUMN {col} uuid DEFAULT gen_random_uuid();"],
            [f"ALTER TABLE {t} ADD COLUMN {col} timestamptz DEFAULT now();"],
            [
                f"ALTER TABLE {t} ADD CONSTRAINT {t}_{col}_fk FOREIGN KEY ({col}) "
                f"REFERENCES users (id);"
            ],
            [
                f"ALTER TABLE {t} ADD CONSTRAINT {t}_{col}_fk FOREIGN KEY ({col}) "
                f"REFERENCES users (id) NOT VALID;",
                f"ALTER TABLE {t} VALIDATE CONSTRAINT {t}_{col}_fk;",
            ],
            [f"ALTER TABLE {t} ADD CONSTRAINT {t}_{col}_chk CHECK ({col} > 0);"],
            [f"ALTER TABLE {t} ADD CONSTRAINT {t}_{col}_chk CHECK ({col} > 0) NOT VALID;"],
            [f"ALTER TABLE {t} ADD CONSTRAINT {t}_{col}_key UNIQUE ({col});"],
            [f"ALTER TABLE {t} ALTER COLUMN {col} SET NOT NULL;"],
            [f"ALTER TABLE {t} ALTER COLUMN {col} DROP NOT NULL;"],
            [f"ALTER TABLE {t} ALTER COLUMN {col} TYPE bigint;"],
            [f"ALTER TABLE {t} ALTER COLUMN {col} SET DEFAULT 'x';"],
            [f"ALTER TABLE {t} RENAME COLUMN {col} TO {col}_old;"],
            [f"ALTER TABLE {t} DROP COLUMN {col};"],
            [f"DROP INDEX {t}_{col}_idx;"],
            [f"UPDATE {t} SET {col} = 0 WHERE {col} IS NULL AND id < 10000;"],
            [f"DELETE FROM {t} WHERE created_at < now() - interval '90 days';"],
            [f"INSERT INTO {t} (id, {col}) VALUES ({k}, 'seed');"],
            [f"COMMENT ON COLUMN {t}.{col} IS 'added for reporting';"],
            [f"CREATE OR REPLACE VIEW {t}_recent AS SELECT * FROM {t} WHERE id > {k};"],
            [f"ALTER TYPE {t}_status ADD VALUE IF NOT EXISTS 'v{k}' AFTER 'paid';"],
            [f"GRANT SELECT ON {t} TO reporting;"],
        ]
    )


def _new_table(rng: random.Random, name: str) -> list[str]:
    """A table created in the file, with its index: locks on it are harmless."""
    types = ["bigint", "text", "varchar(100)", "int", "timestamptz", "jsonb", "boolean"]
    cols = ",\n    ".join(f"f{j} {rng.choice(types)}" for j in range(rng.randint(3, 8)))
    return [
        f"CREATE TABLE {name} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        f"    {cols}\n);",
        f"CREATE INDEX {name}_f0_idx ON {name} (f0);",
        f"ALTER TABLE {name} ADD CONSTRAINT {name}_f1_chk CHECK (f1 IS NOT NULL);",
    ]


def _concurrent(rng: random.Random, t: str, k: int) -> list[str]:
    return rng.choice(
        [
            [f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {t}_c{k}_idx ON {t} (c{k});"],
            [f"DROP INDEX CONCURRENTLY IF EXISTS {t}_c{k}_idx;"],
            [f"REINDEX INDEX CONCURRENTLY {t}_c{k}_idx;"],
            [f"CREATE UNIQUE INDEX CONCURRENTLY {t}_c{k}_key ON {t} (c{k});"],
        ]
    )


def corpus(directory: Path, statements: int, seed: int = 11) -> int:
    """Write files of about PER_FILE statements into ``directory``; the file count."""
    rng = random.Random(seed)
    written = files = 0
    while written < statements:
        files += 1
        body: list[str] = []
        concurrent = rng.random() < 0.25
        if rng.random() < 0.7:
            body.append(f"SET lock_timeout = '{rng.choice([1, 2, 5])}s';")
        if rng.random() < 0.3:
            body.append("SET statement_timeout = '30s';")
        k = 0
        target = min(PER_FILE, statements - written) - (0 if concurrent else 2)
        while len(body) < target:
            k += 1
            table = f"t{rng.randrange(200)}"
            roll = rng.random()
            if concurrent and roll < 0.5:
                body += _concurrent(rng, table, k)
            elif roll < 0.15:
                body += _new_table(rng, f"n{files}_{k}")
            else:
                body += _hazards(rng, table, k)
        if not concurrent:
            body = ["BEGIN;", *body, "COMMIT;"]
        header = f"-- bench migration {files}\n"
        (directory / f"{files:05d}_bench.sql").write_text(header + "\n".join(body) + "\n")
        written += len(body)
    return files


#: dbshift runs with a bytecode cache, as an installed package has one (pip compiles it);
#: an editable install under PYTHONDONTWRITEBYTECODE would compile its modules every run.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = str(RESULTS / "pycache")


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, the child and its own children: squawk
    uses threads, dbshift forked workers) and standard output of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=ENV)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: findings
        raise SystemExit(f"bench: {Path(command[0]).name} failed: {done.stderr.strip()[-800:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--statements", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--show", type=int, default=10, help="unmatched squawk findings to show")
    args = parser.parse_args()
    workdir = RESULTS / "lint-work"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    files = corpus(workdir, args.statements)
    paths = sorted(workdir.glob("*.sql"))
    dbshift = [str(BIN / "dbshift"), "lint", "--dialect", "postgresql"]
    squawk_json = squawk_command(paths, in_transaction=False)
    squawk_tty = [squawk_json[0], *map(str, paths)]
    # As people run them (text / tty report), then as CI runs them (JSON): squawk spends
    # most of its time on the tty report, so the two pairs differ.
    pairs = {
        "text": ([*dbshift, str(workdir)], squawk_tty),
        "json": ([*dbshift, "--format", "json", str(workdir)], squawk_json),
    }
    print(f"postgresql: {args.statements} statements in {files} files, median of {args.repeat}")
    timed([*dbshift, str(paths[0])])  # fills the bytecode cache
    samples: dict[str, list[float]] = {}
    outputs: dict[str, str] = {}
    for _ in range(args.repeat):  # interleaved, so both see the same machine state
        for report, commands in pairs.items():
            for tool, command in zip(("dbshift lint", "squawk"), commands, strict=True):
                seconds, cpu, outputs[f"{tool} {report}"] = timed(command)
                samples.setdefault(f"{tool} {report}", []).append(seconds)
                samples.setdefault(f"{tool} {report} cpu", []).append(cpu)
    ours = json.loads(outputs["dbshift lint json"])
    theirs = parse_squawk(outputs["squawk json"])
    counts = {"dbshift lint": len(ours["findings"]), "squawk": len(theirs)}
    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"  {'wall (cpu) seconds':<14} {'text/tty':>16} {'json':>16} {'findings':>9}")
    for tool in ("dbshift lint", "squawk"):
        cells = [f"{median[f'{tool} {r}']:7.2f} ({median[f'{tool} {r} cpu']:5.2f})" for r in pairs]
        print(f"  {tool:<18} {cells[0]:>16} {cells[1]:>16} {counts[tool]:9}")
    ratios = [
        f"{median[f'dbshift lint {r}{c}'] / median[f'squawk {r}{c}']:.2f}x {r}{c or ' wall'}"
        for r in pairs
        for c in ("", " cpu")
    ]
    print(f"  dbshift / squawk: {', '.join(ratios)}; statements linted: {ours['statements']}")
    levels = Counter(f["severity"] for f in ours["findings"])
    opinions = sum(1 for v in theirs if v.rule in OPINIONS)
    print(
        f"  dbshift findings: {levels['error']} errors, {levels['warning']} warnings, "
        f"{levels['notice']} notices; squawk findings in dbshift's opinion list: {opinions}"
    )
    texts = {str(p): p.read_text() for p in paths}
    findings = [(f["path"], f["line"], f["rule"]) for f in ours["findings"]]
    missing = unmatched(theirs, findings, texts, all_rules())
    print(f"  squawk findings without a dbshift peer finding: {len(missing)}")
    for line in missing[: args.show]:
        print(f"    {line.replace(str(workdir) + '/', '')}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / time.strftime("lint-%Y%m%d-%H%M%S.json")
    out.write_text(
        json.dumps(
            {
                "statements": args.statements,
                "files": files,
                "samples": samples,
                "findings": counts,
                "unmatched": len(missing),
            },
            indent=2,
        )
    )
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"raw samples: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
