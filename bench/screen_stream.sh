#!/usr/bin/env bash
# Peak memory of `phaseout screen` on a large input that never exists on disk: a generator
# writes CSV catalogue lines to a pipe read by `phaseout screen -`, and /usr/bin/time -v reports
# the peak RSS. Lines carry a `notes` column (passed through to the output) padded to
# LINE_BYTES, so the byte count is reached with fewer lines; every 1000th line has a
# 1,000,000-byte description that starts with a covered name.
# Usage: bench/screen_stream.sh BYTES [LINE_BYTES] [BUILD_DIR]
#   e.g. bench/screen_stream.sh 100M; bench/screen_stream.sh 10G 65536
# Prints the generator's byte and line counts, the output's line count, the CPU time, the exit
# status (3: something prohibited, as expected) and the peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
bytes="${1:?usage: bench/screen_stream.sh BYTES [LINE_BYTES] [BUILD_DIR]}"
line_bytes="${2:-4096}"
bin="${3:-build/release}/phaseout"
case "$bytes" in
  *G) bytes=$(( ${bytes%G} * 1024 * 1024 * 1024 )) ;;
  *M) bytes=$(( ${bytes%M} * 1024 * 1024 )) ;;
esac
gen() {
  python3 - "$bytes" "$line_bytes" <<'PY'
import sys
total, line_bytes = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout.buffer
rows = [
    ("4MP dome network camera 2.8mm", "Hikvision", "DS-2CD2143G2-I", "Global Distribution Partners"),
    ("24-port PoE+ managed switch", "Cisco", "C9200L-24P-4G", "Global Distribution Partners"),
    ("Wall mount bracket compatible with Dahua dome cameras", "Generic", "PFB203W", "Acme Supply"),
    ("Removal and disposal of existing Hikvision cameras", "", "", "Acme Services"),
    ("Wi-Fi 6 access point", "Huawei", "AirEngine 5761-11", "Huawei Technologies Co., Ltd."),
    ("14in business laptop 16GB RAM", "Lenovo", "20XW004GUS", "Office Depot"),
]
header = b"line_id,description,manufacturer,model,supplier,unspsc,date,notes\n"
out.write(header)
written, n = len(header), 0
big_desc = ("Hikvision 8MP bullet camera " + "x" * 1_000_000)[:1_000_000]
pad = "p" * line_bytes
while written < total:
    desc, mfr, model, supplier = rows[n % len(rows)]
    if n % 1000 == 999:
        desc = big_desc
    head = f'L{n},"{desc}",{mfr},{model},"{supplier}",46171610,2025-0{1 + n % 9}-15,'
    need = max(0, line_bytes - len(head) - 1)
    line = (head + pad[:need] + "\n").encode()
    out.write(line)
    written += len(line)
    n += 1
sys.stderr.write(f"generator: {written} bytes, {n} lines\n")
PY
}
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
set +e
gen | /usr/bin/time -v -o "$stats" "$bin" screen - --format ndjson --no-lists | wc -lc |
  awk '{printf "output: %.0f NDJSON lines, %.0f bytes\n", $1, $2}'
set -e
grep -E 'Maximum resident|Elapsed|User time|System time|Exit status' "$stats"
