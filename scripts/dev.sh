#!/usr/bin/env bash
# The project's one entry point for setting up, building, running and testing.
#   scripts/dev.sh demo   install what is missing, build (Release), run argusd --demo
#   scripts/dev.sh test   install what is missing, build (Release), run the test suite
#   scripts/dev.sh build  install what is missing and build only
#   scripts/dev.sh fuzz frames|config|http|live|websocket [SECONDS]
#                         build the libFuzzer harnesses with clang (ASan,
#                         UBSan) in build-fuzz and fuzz one for SECONDS
#                         (default 300), starting from tests/fuzz/<name>
# Idempotent: with everything installed and built it only checks and rebuilds
# what changed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${ARGUS_BUILD_DIR:-$root/build}"

# Debian bookworm packages the build, the tests and the demo need.
packages=(
  cmake ninja-build g++
  libcaf-dev libmsgpack-cxx-dev libyaml-cpp-dev libsqlitecpp-dev
  libsqlite3-dev libspdlog-dev doctest-dev nlohmann-json3-dev libcli11-dev
  libbenchmark-dev prometheus-cpp-dev sqlite3 python3 python3-msgpack
  libre2-dev libssl-dev pkg-config libboost-dev libcurl4-openssl-dev
  zlib1g-dev libhowardhinnant-date-dev tzdata
  libcairo2-dev libpango1.0-dev fonts-dejavu-core
)
# Only the tests need these: promtool (package prometheus) checks the
# Prometheus text the dashboard renders; SciPy is the oracle the drift
# statistics are checked against (run with /usr/bin/python3); prometheus
# also scrapes argusd's /metrics in a test, and curl is the HTTP client of
# the gateway's route matrix; openssl makes the test CA and certificates;
# python3-websockets is the real WebSocket client of /ws's test.
# chromium, its driver and Selenium run the web dashboard's browser test.
test_packages=(prometheus python3-scipy curl openssl python3-websockets
  chromium chromium-driver python3-selenium python3-aiosmtpd poppler-utils)
# Only fuzzing needs these: clang and its libFuzzer and sanitizer runtimes.
fuzz_packages=(clang libclang-rt-14-dev)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]})); then
    echo "dev.sh: installing ${missing[*]}"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# The web dashboard's one library (uPlot) from the npm registry, exactly as
# web/package-lock.json pins it; nothing third-party is committed. Debian's
# nodejs and npm come only when the machine has no npm.
web_libraries() {
  if ! command -v npm >/dev/null 2>&1; then
    local saved=("${packages[@]}")
    packages=(nodejs npm)
    install_missing
    packages=("${saved[@]}")
  fi
  local lock="$root/web/package-lock.json"
  local installed="$root/web/node_modules/.package-lock.json"
  if [[ ! -f "$installed" || "$lock" -nt "$installed" ]]; then
    (cd "$root/web" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
}

build() {
  web_libraries
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" -j "$(nproc)"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  demo)
    install_missing
    build
    cd "$root"
    exec "$build_dir/tools/argusd" --config config/examples/monitoring.yaml --demo "$@"
    ;;
  test)
    packages+=("${test_packages[@]}")
    install_missing
    build
    cd "$build_dir"
    exec ctest --output-on-failure --timeout 300 "$@"
    ;;
  build)
    install_missing
    build
    ;;
  fuzz)
    harness="${1:-}"
    seconds="${2:-300}"
    if [[ "$harness" != frames && "$harness" != config && "$harness" != http && "$harness" != live && "$harness" != websocket ]]; then
      echo "usage: scripts/dev.sh fuzz frames|config|http|live|websocket [SECONDS]" >&2
      exit 64
    fi
    packages+=("${fuzz_packages[@]}")
    install_missing
    fuzz_dir="$root/build-fuzz"
    cmake -S "$root" -B "$fuzz_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER=clang++ -DARGUS_FUZZ=ON >/dev/null
    cmake --build "$fuzz_dir" -j "$(nproc)" --target "fuzz_$harness"
    # New inputs go to build-fuzz/corpus-<name>; crashes to build-fuzz/.
    # Add a crasher to tests/fuzz/<name>/ once it is fixed.
    mkdir -p "$fuzz_dir/corpus-$harness"
    cd "$fuzz_dir"
    exec "$fuzz_dir/tools/fuzz_$harness" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 \
      "$fuzz_dir/corpus-$harness" "$root/tests/fuzz/$harness"
    ;;
  *)
    echo "usage: scripts/dev.sh demo|test|build|fuzz [args...]" >&2
    exit 64
    ;;
esac
