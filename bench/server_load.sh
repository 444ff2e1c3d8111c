#!/usr/bin/env bash
# Load benchmark of `phaseout serve` (issue 8): PostgreSQL with N devices (default 100,000),
# wrk on loopback against the device list, a device page and the overview, then scan ingest
# through the API (chunks of 5,000 NDJSON lines). Runs itself inside a private network
# namespace (scripts/netns-run): nothing leaves the machine.
#
#   bench/server_load.sh [--preset release|debug] [--devices N] [--duration S] [--ingest N] [--rate R] [--ingest-only]
#                        [--only NAMES] [--profile] [--perf FILE]
#
# --only runs just the named reads (comma-separated: first, offset, offset30k, offsetall, cursor,
# search, maker, overdue, state, device, overview); --ingest 0 skips the ingest. `offset` asks
# offset 60,000 of the 33,333 covered devices (an empty page past the end), `offset30k` a page
# within them, `offsetall` offset 60,000 of all devices.
# The devices are seeded with one INSERT ... SELECT generate_series (the benchmark measures
# reads; seeding 100,000 devices through ingest would take the ingest's time, measured apart)
# and then vacuumed, as autovacuum leaves a table that grew over time: right after a bulk
# insert the trigram index's pending list (~200 pages) is read by every text search (20 ms
# instead of 2 for a rare term) until autovacuum merges it. The same for the text search table
# once the server has filled it.
# Prints wrk's latency distribution per endpoint and the ingest rate with the CPU time the server
# process and the PostgreSQL processes spent on it; docs/performance.md keeps the figures and the
# command. --profile loads pg_stat_statements (with planning) and prints the statements of the
# ingest by total time; --perf FILE records the PostgreSQL processes and the server during each
# ingest with `perf record -g` into FILE.load-1 and FILE.load-2 (read with `perf report -i`).
set -euo pipefail
cd "$(dirname "$0")/.."

preset=release devices=100000 duration=20 ingest=20000 rate=200 paced_conns=10 reads=1 profile=0 perf_out= only=
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset=$2; shift 2 ;;
    --devices) devices=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --ingest) ingest=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --ingest-only) reads=0; shift ;;
    --only) only=$2; shift 2 ;;
    --profile) profile=1; shift ;;
    --perf) perf_out=$(realpath -m "$2"); shift 2 ;;
    -h|--help) sed -n 2,13p "$0"; exit 0 ;;
    *) echo "server_load: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ "${PHASEOUT_IN_NETNS:-}" != "1" ]; then
  exec env PHASEOUT_IN_NETNS=1 ./scripts/netns-run "$0" --preset "$preset" --devices "$devices" \
    --duration "$duration" --ingest "$ingest" --rate "$rate" $([ "$reads" = 1 ] || echo --ingest-only) \
    $([ "$profile" = 0 ] || echo --profile) ${perf_out:+--perf "$perf_out"} ${only:+--only "$only"}
fi

bin=build/$preset/phaseout
for tool in wrk curl psql; do
  command -v "$tool" >/dev/null || { echo "server_load: $tool not installed (scripts/bootstrap)" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "server_load: $bin missing: ./scripts/build $preset phaseout" >&2; exit 1; }

work=$(mktemp -d /tmp/phaseout-load.XXXXXX)
chmod 0755 "$work"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  tests/pg/pg-tmp stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

url=$(tests/pg/pg-tmp start "$work/pg")
if [ "$profile" = 1 ]; then
  tests/pg/pg-tmp stop "$work/pg"
  printf '%s\n' "shared_preload_libraries = 'pg_stat_statements'" "pg_stat_statements.track_planning = on" \
    "pg_stat_statements.track = all" >>"$work/pg/data/postgresql.conf"
  url=$(tests/pg/pg-tmp restart "$work/pg")
  psql -q "$url" -c "CREATE EXTENSION pg_stat_statements"
fi
export PHASEOUT_DB="$url"

# CPU seconds (user + system) of a process, and of all processes of the PostgreSQL server.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_cpu() {
  local postmaster total=0 pid
  postmaster=$(head -1 "$work/pg/data/postmaster.pid")
  for pid in $postmaster $(pgrep -P "$postmaster" || true); do
    total=$(python3 -c "print(f'{$total + $(cpu_of "$pid"):.2f}')")
  done
  echo "$total"
}

cat >"$work/sites.yaml" <<'EOF'
departments:
  - id: finance
    name: Finance
    sites:
      - id: hq
        name: Headquarters
        scopes: [127.60.0.0/16]
        deadlines: {us-ndaa-889: 2027-06-30}
      - id: depot
        name: Depot
        scopes: [127.61.0.0/16]
EOF
"$bin" sites import "$work/sites.yaml" --actor bench --note "load benchmark" >/dev/null

# N devices over the two sites; a third covered (Hikvision), a third review, a third clear.
psql -q "$url" <<EOF
INSERT INTO devices (site_id, mac, ip, manufacturer, brand, device_type, model, prohibited, review,
                     state, state_since, first_seen, last_seen, outside_scope)
SELECT (SELECT id FROM sites WHERE key = CASE WHEN g % 2 = 0 THEN 'hq' ELSE 'depot' END),
       lpad(to_hex(g), 12, '0'),
       '127.' || (60 + g % 2) || '.' || ((g / 256) % 256) || '.' || (g % 256),
       CASE g % 3 WHEN 0 THEN 'Hikvision' WHEN 1 THEN 'Dahua' ELSE 'Axis' END,
       CASE g % 3 WHEN 0 THEN 'Hikvision' WHEN 1 THEN 'Dahua' ELSE 'Axis' END,
       'ip-camera', 'DS-2CD' || g,
       CASE g % 3 WHEN 0 THEN 'us-ndaa-889' ELSE '' END,
       CASE g % 3 WHEN 1 THEN 'us-ndaa-889' ELSE '' END,
       'found', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z',
       0  -- inside its site's scopes (schema v10), as an ingest records it
FROM generate_series(1, $devices) AS g;
VACUUM ANALYZE;
EOF

printf 'bench-password-1\n' | "$bin" users add bench --role programme >/dev/null
token=$("$bin" users token bench --label load 2>/dev/null | tail -1)
[ -n "$token" ] || { echo "server_load: no token printed by 'users token'" >&2; exit 1; }
printf 'agent-password-1\n' | "$bin" users add officer --role officer --department finance >/dev/null

"$bin" serve --listen 127.0.0.1:0 --rate-limit 0 >"$work/serve.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/serve.log" | head -1 | cut -d: -f2 || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "server_load: server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
base="http://127.0.0.1:$port"
# The seeded devices are queued for the text search table (schema v9); the server's refresher
# takes them on start. Wait for it, as a server in steady state has refreshed its devices, and
# vacuum the table for the reason the devices were (its trigram index's pending list, and
# autovacuum would otherwise start on it during the first reads).
for _ in $(seq 1 600); do
  [ "$(psql -qtA "$url" -c "SELECT COUNT(*) FROM device_search_queue")" = 0 ] && break
  sleep 0.1
done
psql -q "$url" -c "VACUUM ANALYZE device_search, device_search_queue"
# A checkpoint, as a server that has been running has had: PostgreSQL then keeps the WAL segments
# the seeding filled for reuse. Without it each 16 MiB segment the ingest fills is created and
# zero-filled first (50-90 ms of the PostgreSQL backend's time every other chunk of new hosts;
# docs/performance.md, "fifteenth pass").
psql -q "$url" -c "CHECKPOINT"
first=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/devices?limit=1" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)

cat >"$work/auth.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $token"
EOF
# Debian's wrk (4.x) has no fixed-rate mode (wrk2's -R): the paced runs give each of $paced_conns
# connections a pause of $paced_conns/$rate s before each request (the script's delay()), so
# the offered rate is at most $rate requests/s; the measured rate is printed beside it.
cat >"$work/paced.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $token"
function delay() return $((paced_conns * 1000 / rate)) end
EOF

# CPU time (user + system, clock ticks) of the server and of this PostgreSQL's processes: printed
# per request beside each wrk run, the figure that does not depend on the machine's load.
ticks() {  # ticks [server]: the server and PostgreSQL, or the server alone
  local t=0 pid f
  local postmaster
  postmaster=$(head -1 "$work/pg/data/postmaster.pid" 2>/dev/null || true)
  [ "${1:-}" = server ] && postmaster=""
  for pid in "$server_pid" $postmaster $([ -n "$postmaster" ] && pgrep -P "$postmaster" || true); do
    f=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    f=${f##*) }
    set -- $f
    t=$((t + ${12} + ${13}))
  done
  echo "$t"
}
hz=$(getconf CLK_TCK)
cpu_per_request() {  # cpu_per_request TICKS_BEFORE SERVER_TICKS_BEFORE WRK_OUTPUT
  local after server_after requests
  after=$(ticks) server_after=$(ticks server)
  requests=$(grep -Eo '^ *[0-9]+ requests in' <<<"$3" | grep -Eo '[0-9]+' | head -1)
  [ -n "$requests" ] && [ "$requests" -gt 0 ] &&
    python3 -c "import sys; t,s,h,n=int(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]),int(sys.argv[4]); print(f'     CPU (server + PostgreSQL): {t/h:.2f} s for {n} requests = {1000*t/h/n:.2f} ms a request (server {1000*s/h/n:.2f} ms)')" \
      "$((after - $1))" "$((server_after - $2))" "$hz" "$requests"
}

echo "server_load: $devices devices, PostgreSQL 15 (throw-away, unix socket), preset $preset, $(nproc) cores"
# Deep pages: by offset, and by cursor (after=, keyset paging) from a device about as deep.
deep=$((first + devices * 6 / 10))
declare -A read_paths=(
  [first]="/api/v1/devices?limit=50" [offset]="/api/v1/devices?limit=50&offset=60000&status=covered"
  [offset30k]="/api/v1/devices?limit=50&offset=30000&status=covered" [offsetall]="/api/v1/devices?limit=50&offset=60000"
  [cursor]="/api/v1/devices?limit=50&after=$deep&status=covered" [search]="/api/v1/devices?limit=50&q=DS-2CD4242"
  [maker]="/api/v1/devices?limit=50&q=hikvision"
  [overdue]="/api/v1/devices?limit=50&overdue=1" [state]="/api/v1/devices?limit=50&state=removed"
  [device]="/api/v1/devices/$first" [overview]="/api/v1/overview?policy=us-ndaa-889")
selected=()
for name in ${only//,/ }; do
  [ -n "${read_paths[$name]:-}" ] || { echo "server_load: unknown read '$name' for --only (first, offset, offset30k, offsetall, cursor, search, maker, overdue, state, device, overview)" >&2; exit 2; }
  selected+=("${read_paths[$name]}")
done
[ -n "$only" ] || selected=("${read_paths[first]}" "${read_paths[offset]}" "${read_paths[cursor]}" "${read_paths[search]}"
  "${read_paths[maker]}" "${read_paths[overdue]}" "${read_paths[state]}" "${read_paths[device]}" "${read_paths[overview]}")
[ "$profile" = 1 ] && [ "$reads" = 1 ] && psql -q "$url" -c "SELECT pg_stat_statements_reset()" >/dev/null
[ "$reads" = 1 ] && for path in "${selected[@]}"; do
  case "$path" in *overview*)
    # The overview is cached for 30 s (docs/server.md): time the first, computing request alone.
    echo "== GET $path  (first request, computes; curl)"
    curl -s -o /dev/null --max-time 600 -w '     computed in %{time_total} s, HTTP %{http_code}\n' \
      -H "Authorization: Bearer $token" "$base$path" ;;
  esac
  echo "== GET $path  (saturated: wrk -t2 -c8 -d${duration}s)"
  before=$(ticks) server_before=$(ticks server)
  out=$(wrk -t2 -c8 -d"${duration}s" --timeout 30s --latency -s "$work/auth.lua" "$base$path")
  grep -E 'Latency | 50%| 90%| 99%|Requests/sec|Non-2xx|timeout' <<<"$out" || true
  cpu_per_request "$before" "$server_before" "$out"
  case "$path" in *overview*) continue ;; esac
  echo "== GET $path  (paced: at most $rate requests/s, wrk -t2 -c$paced_conns -d${duration}s, delay $((paced_conns * 1000 / rate)) ms)"
  before=$(ticks) server_before=$(ticks server)
  out=$(wrk -t2 -c"$paced_conns" -d"${duration}s" --timeout 30s --latency -s "$work/paced.lua" "$base$path")
  grep -E 'Latency | 50%| 90%| 99%|Requests/sec|Non-2xx|timeout' <<<"$out" || true
  cpu_per_request "$before" "$server_before" "$out"
done
if [ "$profile" = 1 ] && [ "$reads" = 1 ]; then
  echo "== reads: statements by time (pg_stat_statements)"
  psql "$url" -c "SELECT calls, plans, round((total_plan_time / greatest(plans, 1))::numeric, 3) AS plan_ms_each,
    round((total_exec_time / greatest(calls, 1))::numeric, 3) AS exec_ms_each, left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
    FROM pg_stat_statements ORDER BY total_plan_time + total_exec_time DESC LIMIT 12"
fi
[ "$ingest" -gt 0 ] || exit 0

# Ingest: one agent key, two scans of the same $ingest records pushed in chunks of 5,000 lines.
secret=$("$bin" agents secret --site hq --expires-in 600 2>/dev/null | tail -1)
key=$(curl -sf -H 'Content-Type: application/json' -d "{\"secret\":\"$secret\",\"name\":\"bench\"}" \
        "$base/api/v1/agents/enrol" | grep -o '"key":"[^"]*"' | cut -d'"' -f4)
python3 - "$work" "$ingest" <<'EOF'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
chunk = 0
out = None
for i in range(n):
    if i % 5000 == 0:
        if out: out.close()
        out = open(f"{work}/chunk{chunk:04d}.ndjson", "w"); chunk += 1
    ip = f"127.60.{(i // 256) % 256}.{i % 256}"
    rec = {"type": "device", "ip": ip, "mac": "02:00:%02x:%02x:%02x:%02x" % ((i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255),
           "manufacturer": "Hikvision", "brand": "Hikvision", "device_type": "ip-camera", "model": f"DS-2CD{i}",
           "verdicts": [{"policy": "us-ndaa-889", "status": "prohibited"}],
           "evidence": [{"probe": "http", "port": 80, "field": "http.header.server", "value": "App-webs/", "rule": "bench", "claim": "Hikvision"}]}
    out.write(json.dumps(rec) + "\n")
out.close()
EOF
# push_scan KEY WHAT: starts scan KEY, pushes the chunks, completes it; prints the rate.
push_scan() {
  local scan=$1 what=$2
  curl -sf -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"scan_key\":\"$scan\",\"site\":\"hq\",\"started_at\":\"2026-12-01T00:00:00Z\",\"scope\":[\"127.60.0.0/16\"]}" \
    "$base/api/v1/scans"
  [ "$profile" = 1 ] && psql -q "$url" -c "SELECT pg_stat_statements_reset()" >/dev/null
  serve_cpu0=$(cpu_of "$server_pid") pg_cpu0=$(pg_cpu)
  echo "== ingest ($what): load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  perf_pid=""
  if [ -n "$perf_out" ]; then
    pids="$server_pid $(pgrep -d ' ' -P "$(head -1 "$work/pg/data/postmaster.pid")")"
    perf record -q -F 999 -g -o "$perf_out.$scan" -p "${pids// /,}" >/dev/null 2>&1 &
    perf_pid=$!
    sleep 1
  fi
  # The chunks go back to back from one curl process over one kept-alive connection, as the
  # agent sends them (src/agent/transport.cc); a curl process per chunk added ~45 ms of process
  # start and connection between chunks to the figure.
  local seq=1 args=() f lines
  for f in "$work"/chunk*.ndjson; do
    lines=$(wc -l <"$f")
    [ ${#args[@]} -eq 0 ] || args+=(--next)
    args+=(-sf -o /dev/null -w '%{time_total} ' -H "Authorization: Bearer $key" -H 'Content-Type: application/x-ndjson'
           --data-binary @"$f" "$base/api/v1/scans/$scan/records?first_seq=$seq")
    seq=$((seq + lines))
  done
  start=$(date +%s.%N)
  times=$(curl "${args[@]}")
  pushed=$(date +%s.%N)
  complete_time=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"records\":$ingest,\"complete\":true}" "$base/api/v1/scans/$scan/complete")
  end=$(date +%s.%N)
  serve_cpu1=$(cpu_of "$server_pid") pg_cpu1=$(pg_cpu)
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
  echo "== ingest ($what): seconds per chunk: ${times% }; complete (verification pass): $complete_time"
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'== ingest ({sys.argv[4]}): {int(sys.argv[3])} host records in {s:.2f} s = {int(sys.argv[3])/s:,.0f} records/s (chunks of 5,000, one client)')" "$start" "$end" "$ingest" "$what"
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'== ingest ({sys.argv[4]}): the chunks alone (before complete): {int(sys.argv[3])/s:,.0f} records/s')" "$start" "$pushed" "$ingest" "$what"
  python3 -c "import sys; a,b,c,d=map(float,sys.argv[1:5]); print(f'== ingest CPU ({sys.argv[6]}): phaseout serve {b-a:.2f} s, PostgreSQL processes {d-c:.2f} s (user + system); load average at end: {sys.argv[5]}')" \
    "$serve_cpu0" "$serve_cpu1" "$pg_cpu0" "$pg_cpu1" "$(cut -d' ' -f1-3 /proc/loadavg)" "$what"
  if [ "$profile" = 1 ]; then
    psql "$url" -c "SELECT calls, rows, round(total_plan_time::numeric, 1) AS plan_ms,
      round(total_exec_time::numeric, 1) AS exec_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
      FROM pg_stat_statements ORDER BY total_plan_time + total_exec_time DESC LIMIT 20"
  fi
}
# First every record is a host not stored before (new devices; the site's 50,000 seeded devices
# go unseen and each counts a missed scan), then the same hosts are scanned again (every record
# matched to its device, as in a site's routine rescan). That second complete scan is the
# seeded devices' second miss: the 33,333 of them that are covered or under review go missing
# at once (each a lifecycle change with its audit entry and event), a mass event the time of
# `complete` shows apart. The third scan of the same hosts is a routine rescan throughout.
push_scan load-1 "new hosts"
push_scan load-2 "rescan, 33,333 go missing"
push_scan load-3 "routine rescan"
