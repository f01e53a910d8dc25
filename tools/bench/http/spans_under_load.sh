#!/usr/bin/env bash
# The persisted-spans rate with and without HTTP API load, in alternating
# runs of bench_sustained (250 000 spans/s, all kept: the storage writer
# saturated) with its HTTP API on:
#   tools/bench/http/spans_under_load.sh BUILD_DIR [ROUNDS] [SECONDS]
# Per round, three runs: no requests; `paced` (wrk, 10 connections each
# waiting 10 ms: ~1 000 requests/s on GET /api/metrics/dashboard, the
# issue's latency setting); `flood` (wrk -c32 unpaced, as many as the
# machine answers). Prints persisted_per_s of each and the ratios to the
# quiet run of the same round; docs/PERFORMANCE.md keeps the figures.
set -euo pipefail
build="${1:?usage: spans_under_load.sh BUILD_DIR [ROUNDS] [SECONDS]}"
rounds="${2:-3}"
secs="${3:-10}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
port=18475
export ARGUS_BENCH_HTTP_PORT=$port
export ARGUS_BENCH_TOKEN="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export ARGUS_BENCH_SECONDS="$secs"

# One bench_sustained run under `load` (none|paced|flood): its
# persisted_per_s.
run() {
  local load=$1 out="$work/$1.json"
  "$build/tools/bench_sustained" \
    --benchmark_filter='sustained_spans/250000/100' \
    --benchmark_out="$out" --benchmark_out_format=json > /dev/null 2>&1 &
  local bench=$!
  if [ "$load" != none ]; then
    for _ in $(seq 200); do
      curl -sf "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break
      sleep 0.05
    done
    local url="http://127.0.0.1:$port/api/metrics/dashboard"
    if [ "$load" = paced ]; then
      ARGUS_TOKEN=$ARGUS_BENCH_TOKEN ARGUS_DELAY_MS=10 wrk -t2 -c10 \
        -d"$((secs + 2))s" -s "$here/paced.lua" "$url" > "$work/wrk" 2>&1 &
    else
      ARGUS_TOKEN=$ARGUS_BENCH_TOKEN wrk -t2 -c32 -d"$((secs + 2))s" \
        -s "$here/auth.lua" "$url" > "$work/wrk" 2>&1 &
    fi
  fi
  wait "$bench"
  kill %?wrk 2>/dev/null || true
  wait 2>/dev/null || true
  /usr/bin/python3 - "$out" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["benchmarks"][0]
print(f'{b["persisted_per_s"]:.0f}')
PY
}

for r in $(seq "$rounds"); do
  q=$(run none); p=$(run paced); f=$(run flood)
  awk -v r="$r" -v q="$q" -v p="$p" -v f="$f" 'BEGIN {
    printf "round %d quiet %d paced %d flood %d paced/quiet %.3f flood/quiet %.3f\n",
           r, q, p, f, p / q, f / q }'
done
