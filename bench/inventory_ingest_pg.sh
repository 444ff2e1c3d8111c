#!/usr/bin/env bash
# Inventory ingest on PostgreSQL: starts a throw-away server (tests/pg/pg-tmp, unix socket only),
# runs bench/inventory_ingest against it pinned to core 0, and samples the CPU time of the
# server backend that serves the bench (ps, whole seconds), since on PostgreSQL the server does
# most of the work. Run inside the private namespace:
#   ./scripts/netns-run bench/inventory_ingest_pg.sh [RECORDS] [more inventory_ingest options]
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-20000}
shift || true
d=$(mktemp -d)
chmod 755 "$d"  # the server runs as an unprivileged user when we are root
trap 'tests/pg/pg-tmp stop "$d/pg" >/dev/null 2>&1 || true; rm -rf "$d"' EXIT
url=$(tests/pg/pg-tmp start "$d/pg")
taskset -c 0 build/release/bench/inventory_ingest --records "$records" --db "$url" "$@" >"$d/out.txt" 2>&1 &
bench=$!
last=""
while kill -0 "$bench" 2>/dev/null; do
  pid=$(pgrep -f "postgres: phaseout" | head -1 || true)
  if [ -n "$pid" ]; then
    t=$(ps -o times= -p "$pid" 2>/dev/null || true)
    [ -n "$t" ] && last=$t
  fi
  sleep 0.5
done
status=0
wait "$bench" || status=$?
cat "$d/out.txt"
echo "server backend cpu_s (last sample before the bench ended): ${last// /}"
exit "$status"
