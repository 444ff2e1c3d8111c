#!/usr/bin/env bash
# Measures what the UDP discovery pass and the telecom ports cost on a lab estate: three scans of
# the same lab (TCP only as before issue 6; the default now; the default plus 21, 23, 37215),
# rate-limited so the limit dominates as it does in real scans. Runs inside a private network
# namespace. Usage: bench/discovery_cost.sh [BUILD_DIR]  (default build/release)
# Environment: DEVICES (default 1000), BLOCK (default 127.40.0.0/20), RATE (default 2000).
set -euo pipefail
cd "$(dirname "$0")/.."
export B="${1:-build/release}/phaseout" DEVICES="${DEVICES:-1000}" BLOCK="${BLOCK:-127.40.0.0/20}" RATE="${RATE:-2000}"
exec ./scripts/netns-run bash -c '
set -euo pipefail
W=$(mktemp -d)
"$B" lab --devices "$DEVICES" --base "$BLOCK" --seed 7 --truth "$W/truth.ndjson" --ready-file "$W/ready" >"$W/lab.log" 2>&1 &
lab=$!
trap "kill $lab 2>/dev/null || true; wait $lab 2>/dev/null || true; rm -rf $W" EXIT
for _ in $(seq 1 1200); do [ -f "$W/ready" ] && break; sleep 0.1; done
[ -f "$W/ready" ] || { cat "$W/lab.log" >&2; exit 1; }
run() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$B" scan "$BLOCK" --rate "$RATE" --format ndjson --quiet --no-progress "$@" >"$W/$name.ndjson" 2>"$W/$name.err" || true
  t1=$(date +%s.%N)
  printf "%-28s %8.1f s  %5d hosts reported\n" "$name" "$(echo "$t1 - $t0" | bc)" "$(wc -l <"$W/$name.ndjson")"
}
run "tcp-7-ports-no-udp" --no-udp -p 80,443,554,8000,8080,8443,37777
run "default (9 ports + udp)"
run "default + 21,23,37215" -p 21,22,23,80,443,554,7547,8000,8080,8443,37215,37777
'
