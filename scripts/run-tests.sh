#!/usr/bin/env bash
# The whole test suite against SpatiaLite and a throwaway PostGIS cluster, with
# Debian's Chromium for the browser tests. Called by `make test` (and so by CI).
set -euo pipefail
cd "$(dirname "$0")/.."
# Lint first: a ruff finding fails the run before any test starts (the rules are
# pyproject.toml's [tool.ruff]; `make lint` runs the same check).
if ! .venv/bin/ruff check gridwatch tests bench scripts; then
  echo "ruff check found the problems above; fix them (or 'ruff check --fix')" \
    "and run the tests again." >&2
  exit 1
fi
export GRIDWATCH_PG_DIR=${GRIDWATCH_PG_DIR:-/tmp/gridwatch-pg-test-$$}
export GRIDWATCH_PG_PORT=${GRIDWATCH_PG_PORT:-54330}
url=$(bash scripts/pg-throwaway.sh start)
trap 'bash scripts/pg-throwaway.sh stop' EXIT
export GRIDWATCH_TEST_POSTGIS_URL="$url"
export GRIDWATCH_REQUIRE_POSTGIS=1
export GRIDWATCH_REQUIRE_BROWSER=1
export GRIDWATCH_REQUIRE_LIBREOFFICE=1
export GRIDWATCH_DATA_DIR=$(mktemp -d)
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile "$@"
rc=$?
set -e
rm -rf "$GRIDWATCH_DATA_DIR"
exit $rc
