#!/usr/bin/env bash
# One command for the benchmarks: installs dbshift with its peers (Alembic, yoyo, migra) into
# the project's venv, then runs a benchmark against the local servers.
#   bench/run.sh [migrate options]       500 migrations vs psql, Alembic, yoyo
#   bench/run.sh diff [diff options]     schema diff vs migra and Alembic
#   bench/run.sh lint [lint options]     10,000 PostgreSQL statements linted vs squawk
#   bench/run.sh online [--rows N]       online type change on 1,000,000 rows under load
#   bench/run.sh online-mysql [--rows N] the same on MariaDB, vs pt-online-schema-change
#   bench/run.sh drift [--tables N]      dbshift drift on 1,000 tables vs one inspection
#   bench/run.sh backup [--mb N]        PostgreSQL backup/restore vs bare pg_dump/pg_restore
#   bench/run.sh test [--migrations N]   dbshift test vs pytest-alembic's stairway, 200 migrations
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q -e '.[bench]'
if [ "${1:-}" = "diff" ]; then
    shift
    exec .venv/bin/python bench/bench_diff.py "$@"
fi
if [ "${1:-}" = "lint" ]; then
    shift
    exec .venv/bin/python bench/bench_lint.py "$@"
fi
if [ "${1:-}" = "online" ]; then
    shift
    exec .venv/bin/python bench/bench_online.py "$@"
fi
if [ "${1:-}" = "backup" ]; then
    shift
    exec .venv/bin/python bench/bench_backup.py "$@"
fi
if [ "${1:-}" = "online-mysql" ]; then
    shift
    # The peer, pt-online-schema-change (Debian's percona-toolkit), where it can be had: as
    # root with apt-get. Without it the bench still runs, and says the peer was skipped.
    if ! command -v pt-online-schema-change >/dev/null 2>&1 && [ "$(id -u)" = 0 ] \
        && command -v apt-get >/dev/null 2>&1; then
        apt-get install -y -qq percona-toolkit >/dev/null 2>&1 \
            || echo "percona-toolkit could not be installed: pt-osc will be skipped" >&2
    fi
    exec .venv/bin/python bench/bench_online_mysql.py "$@"
fi
if [ "${1:-}" = "drift" ]; then
    shift
    exec .venv/bin/python bench/bench_drift.py "$@"
fi
if [ "${1:-}" = "test" ]; then
    shift
    exec .venv/bin/python bench/bench_test.py "$@"
fi
exec .venv/bin/python bench/bench_migrate.py "$@"
