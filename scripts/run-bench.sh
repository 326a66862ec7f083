#!/usr/bin/env bash
# Run every benchmark side by side with its peer (results land in bench/results/),
# then regenerate the README's benchmark section from those results.
# Files in bench/ starting with '_' are shared helpers, not benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
export GRIDWATCH_PG_DIR=${GRIDWATCH_PG_DIR:-/tmp/gridwatch-pg-bench}
export GRIDWATCH_PG_PORT=${GRIDWATCH_PG_PORT:-54331}
url=$(bash scripts/pg-throwaway.sh start)
trap 'bash scripts/pg-throwaway.sh stop' EXIT
export GRIDWATCH_BENCH_POSTGIS_URL="${url/+psycopg/}"
for script in bench/[!_]*.py; do
  echo "== $script"
  .venv/bin/python "$script"
done
echo "== scripts/bench_table.py"
.venv/bin/python scripts/bench_table.py
