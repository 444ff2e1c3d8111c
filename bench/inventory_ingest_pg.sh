#!/usr/bin/env bash
# Inventory ingest on PostgreSQL: starts a throw-away server (tests/pg/pg-tmp, unix socket only),
# runs bench/inventory_ingest against it pinned to core 0, and samples the CPU time of the
# server backend that serves the bench (/proc/PID/stat), since on PostgreSQL the server does
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
sample=""
while kill -0 "$bench" 2>/dev/null; do
  # The bench's one connection: its backend's user + system ticks (/proc/PID/stat 14, 15).
  # (children of this server's postmaster only: other servers may run on the machine)
  postmaster=$(head -1 "$d/pg/data/postmaster.pid" 2>/dev/null || true)
  [ -n "$postmaster" ] || { sleep 0.2; continue; }
  for pid in $(pgrep -P "$postmaster" -f "postgres: phaseout" || true); do
    t=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$pid/stat" 2>/dev/null || true)
    [ -n "$t" ] && last="$last pid $pid: $t"
  done
  [ -n "$last" ] && sample=$last
  last=""
  sleep 0.2
done
status=0
wait "$bench" || status=$?
cat "$d/out.txt"
echo "server backend cpu_s (last sample before the bench ended):$sample"
exit "$status"
