#!/bin/sh
# Opens `phaseout check` HTML pages in headless Chromium, fails on any console message (a
# blocked external resource, a script error) and on a printout longer than two pages.
# Usage: check_html_chromium.sh PAGE.html [PAGE.html...]
# Runs only inside the private network namespace (scripts/netns-run): Chromium must not reach
# a network. Exit 77 (skipped) outside it or without chromium/pdfinfo, unless
# PHASEOUT_REQUIRE_NETNS=1, which makes a missing namespace a failure.
set -u
others=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/net/dev | grep -vx lo)
if [ -n "$others" ]; then
  echo "not inside a private network namespace (interfaces: $others); run through scripts/netns-run"
  [ "${PHASEOUT_REQUIRE_NETNS:-0}" = 1 ] && exit 1
  exit 77
fi
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ] || ! command -v pdfinfo >/dev/null; then
  echo "chromium or pdfinfo (poppler-utils) missing: run scripts/bootstrap"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for page in "$@"; do
  [ -s "$page" ] || { echo "FAIL: $page missing or empty"; status=1; continue; }
  pdf="$work/out.pdf"
  rm -f "$pdf"
  # --no-sandbox: the namespace runs as root; --enable-logging=stderr prints console messages
  # as "...:INFO:CONSOLE(...)" lines, which a clean page never produces.
  timeout 90 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
      --user-data-dir="$work/profile" --enable-logging=stderr --v=0 \
      --print-to-pdf="$pdf" --no-pdf-header-footer "file://$(realpath "$page")" \
      >"$work/log" 2>&1
  if [ ! -s "$pdf" ]; then
    echo "FAIL: $page: chromium wrote no PDF"; cat "$work/log"; status=1; continue
  fi
  # Messages of Chromium's own pages (source: chrome://..., e.g. a "slow network" notice of its
  # UI under load, seen with Chromium 156) are not the page's.
  if grep -E 'CONSOLE|Refused to|Uncaught' "$work/log" | grep -v 'source: chrome://'; then
    echo "FAIL: $page: console messages (above)"; status=1
  fi
  pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  echo "$page: $pages page(s)"
  if [ -z "$pages" ] || [ "$pages" -lt 1 ] || [ "$pages" -gt 2 ]; then
    echo "FAIL: $page prints on ${pages:-?} pages (expected 1 or 2)"; status=1
  fi
done
exit $status
