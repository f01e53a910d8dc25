#include "runtime/correlation.hpp"

#include <chrono>
#include <random>

namespace argus::runtime {

namespace {

/// SplitMix64: a bijective mixer, so distinct counters give distinct ids.
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

} // namespace

correlation_source::correlation_source() {
  std::random_device rd;
  auto now = static_cast<uint64_t>(
    std::chrono::steady_clock::now().time_since_epoch().count());
  seed_ = (uint64_t{rd()} << 32) ^ rd() ^ splitmix64(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count();
  base_ = static_cast<uint64_t>(ms) << 16;
}

correlation_id correlation_source::next() noexcept {
  auto n = counter_.fetch_add(1, std::memory_order_relaxed);
  // High half: ordered (start time in ms, then a counter), as in UUIDv7,
  // so ids sort by creation and consecutive requests land next to each
  // other in the correlation-id indexes instead of all over them. Low
  // half: random (SplitMix64 is a bijection, so it alone keeps ids
  // distinct); it is what head sampling reads (the trace id's last 8
  // bytes), so sampling stays uniform.
  uint64_t hi = base_ + n;
  uint64_t lo = splitmix64(seed_ ^ splitmix64(n));
  if (hi == 0 && lo == 0) // the all-zero trace id is invalid in W3C
    lo = 1;
  static constexpr char digits[] = "0123456789abcdef";
  char buf[32];
  for (int i = 0; i < 16; ++i) {
    buf[i] = digits[(hi >> (60 - 4 * i)) & 0xf];
    buf[16 + i] = digits[(lo >> (60 - 4 * i)) & 0xf];
  }
  // Always valid: 32 printable bytes.
  return *correlation_id::parse(std::string_view{buf, 32});
}

} // namespace argus::runtime
