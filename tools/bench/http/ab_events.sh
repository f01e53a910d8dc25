#!/usr/bin/env bash
# POST /api/events against two argusd binaries, A and B, in alternating
# rounds (half A first, half B first), each round a fresh `--demo` and
# `wrk -t2 -c4 -s events.lua` with batches of 1 000; prints accepted events/s
# of each and B/A per round. The pairwise ratio is what survives this
# machine's drift; docs/PERFORMANCE.md keeps the figures.
#   tools/bench/http/ab_events.sh ARGUSD_A ARGUSD_B [ROUNDS] [SECONDS]
# CONFIG_A / CONFIG_B: the config each reads (default the example's; an
# older binary may need the example of its own commit).
set -euo pipefail
a="${1:?usage: ab_events.sh ARGUSD_A ARGUSD_B [ROUNDS] [SECONDS]}"
b="${2:?usage: ab_events.sh ARGUSD_A ARGUSD_B [ROUNDS] [SECONDS]}"
rounds="${3:-8}"
secs="${4:-8}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

config_a="${CONFIG_A:-$root/config/examples/monitoring.yaml}"
config_b="${CONFIG_B:-$root/config/examples/monitoring.yaml}"

run() { # BIN CONFIG PORT: accepted events/s
  local w pid admin rate
  w=$(mktemp -d)
  "$1" --config "$2" --demo --db "$w/demo.db" \
    --http-port "$3" --log-level warn > "$w/out" 2> "$w/err" &
  pid=$!
  for _ in $(seq 100); do
    grep -q "admin token" "$w/err" 2>/dev/null && break
    sleep 0.1
  done
  admin=$(grep -o "admin token [0-9a-f]*" "$w/err" | awk '{print $3}')
  if [ -z "$admin" ]; then
    echo "$1 did not start:" >&2
    cat "$w/err" >&2
    exit 1
  fi
  rate=$(ARGUS_TOKEN=$admin ARGUS_BATCH=1000 wrk -t2 -c4 -d"${secs}s" \
    -s "$here/events.lua" "http://127.0.0.1:$3/api/events" \
    | awk '/accepted_events_per_s/ {print $4}')
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$w"
  echo "$rate"
}

for r in $(seq "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then
    x=$(run "$a" "$config_a" 18481); y=$(run "$b" "$config_b" 18482)
  else
    y=$(run "$b" "$config_b" 18482); x=$(run "$a" "$config_a" 18481)
  fi
  awk -v r="$r" -v x="$x" -v y="$y" \
    'BEGIN { printf "round %d A %d B %d B/A %.3f\n", r, x, y, y / x }'
done
