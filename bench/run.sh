#!/usr/bin/env bash
# One command for the benchmarks: installs dbshift with its peers (Alembic, yoyo) into the
# project's venv, then runs bench_migrate.py against the local servers. Extra arguments pass
# through, e.g. `bench/run.sh -n 100 --backend postgresql`.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q -e '.[bench]'
exec .venv/bin/python bench/bench_migrate.py "$@"
