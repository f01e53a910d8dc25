#!/usr/bin/env bash
# HTTP gateway load, measured with wrk (Debian: apt-get install wrk) on
# loopback against `argusd --demo`, with Prometheus's own HTTP server as the
# peer measured in the same rounds (its /-/healthy beside argusd's /healthz).
#   tools/bench/http/run.sh BUILD_DIR [ROUNDS] [SECONDS]
# Prints one line per measurement and round; docs/PERFORMANCE.md keeps the
# figures.
set -euo pipefail
build="${1:?usage: run.sh BUILD_DIR [ROUNDS] [SECONDS]}"
rounds="${2:-3}"
secs="${3:-10}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT

port=18470
prom_port=18490
"$build/tools/argusd" --config "$root/config/examples/monitoring.yaml" --demo \
  --db "$work/demo.db" --http-port "$port" --log-level warn \
  > "$work/out" 2> "$work/err" &
for _ in $(seq 100); do
  grep -q "admin token" "$work/err" 2>/dev/null && break
  sleep 0.1
done
viewer=$(grep -o "viewer token [0-9a-f]*" "$work/err" | awk '{print $3}')
admin=$(grep -o "admin token [0-9a-f]*" "$work/err" | awk '{print $3}')
printf 'global:\n  scrape_interval: 1h\n' > "$work/prometheus.yml"
prometheus --config.file "$work/prometheus.yml" --storage.tsdb.path "$work/tsdb" \
  --web.listen-address "127.0.0.1:$prom_port" > /dev/null 2>&1 &
sleep 3
url="http://127.0.0.1:$port"

rps() { awk '/Requests\/sec/ {print $2}'; }
for r in $(seq "$rounds"); do
  a=$(wrk -t2 -c32 -d"${secs}s" "$url/healthz" | rps)
  p=$(wrk -t2 -c32 -d"${secs}s" "http://127.0.0.1:$prom_port/-/healthy" | rps)
  echo "round $r healthz_rps $a prometheus_healthy_rps $p"
  d=$(ARGUS_TOKEN=$viewer wrk -t2 -c32 -d"${secs}s" -s "$here/auth.lua" \
        "$url/api/metrics/dashboard" | rps)
  echo "round $r dashboard_rps $d"
  ARGUS_TOKEN=$viewer ARGUS_DELAY_MS=10 wrk -t2 -c10 -d"${secs}s" --latency \
    -s "$here/paced.lua" "$url/api/metrics/dashboard" \
    | awk -v r="$r" '/Requests\/sec/ {rate=$2} / 99%/ {p99=$2} / 50%/ {p50=$2}
                     END {print "round " r " dashboard_paced_rps " rate " p50 " p50 " p99 " p99}'
  ARGUS_TOKEN=$admin ARGUS_BATCH=1000 wrk -t2 -c4 -d"${secs}s" \
    -s "$here/events.lua" "$url/api/events" | grep accepted_events \
    | sed "s/^/round $r /"
done
