#!/usr/bin/env bash
# Measures what planning the HTTP follow-ups from data saves on a lab estate: two scans of the
# same lab, one with the shipped table (data/followups/http.yaml: a follow-up only while it can
# still change the answer) and one with every entry marked as able to add every field, which
# sends each follow-up whenever a rule asks for it (the behaviour before follow-ups were data).
# Reports wall time, connection attempts and agreement-relevant counts of each. Runs inside a
# private network namespace. Usage: bench/followup_cost.sh [BUILD_DIR]  (default build/release)
# Environment: DEVICES (default 1000), BLOCK (default 127.41.0.0/20), RATE (default 2000).
set -euo pipefail
cd "$(dirname "$0")/.."
export B="${1:-build/release}/phaseout" DEVICES="${DEVICES:-1000}" BLOCK="${BLOCK:-127.41.0.0/20}" RATE="${RATE:-2000}"
export SRC_DATA="$PWD/data"
exec ./scripts/netns-run bash -c '
set -euo pipefail
W=$(mktemp -d)
"$B" lab --devices "$DEVICES" --base "$BLOCK" --seed 7 --truth "$W/truth.ndjson" --ready-file "$W/ready" >"$W/lab.log" 2>&1 &
lab=$!
trap "kill $lab 2>/dev/null || true; wait $lab 2>/dev/null || true; rm -rf $W" EXIT
# The "always" table: same entries, every one able to add every field.
cp -r "$SRC_DATA" "$W/always-data"
sed -i "s/^    adds: \[.*\]$/    adds: [manufacturer, brand, model, firmware, serial]/" "$W/always-data/followups/http.yaml"
for _ in $(seq 1 1200); do [ -f "$W/ready" ] && break; sleep 0.1; done
[ -f "$W/ready" ] || { cat "$W/lab.log" >&2; exit 1; }
run() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$B" scan "$BLOCK" --rate "$RATE" --no-udp --format json --quiet --no-progress "$@" >"$W/$name.json" 2>"$W/$name.err" || true
  t1=$(date +%s.%N)
  python3 - "$W/$name.json" "$name" "$(echo "$t1 - $t0" | bc)" <<PY
import json, sys
doc = json.load(open(sys.argv[1]))
s = doc["summary"]
attempts = s.get("coverage", {}).get("connections_attempted", 0)
ids = sum(1 for d in doc["devices"] if d.get("manufacturer"))
print("%-26s %7.1f s  %7d connection attempts  %5d hosts  %5d identified  %5d prohibited"
      % (sys.argv[2], float(sys.argv[3]), attempts, s["hosts"], ids, s["hosts_prohibited"]))
PY
}
run "follow-ups when useful"
run "follow-ups when asked" --data-dir "$W/always-data"
'
