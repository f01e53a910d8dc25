#pragma once

#include "messages/correlation_id.hpp"

#include <atomic>
#include <cstdint>

namespace argus::runtime {

/// Mints correlation ids for events that enter the engine without one:
/// 32 lowercase hex digits, i.e. a valid W3C trace id: 16 ordered digits
/// (creation order) then 16 random ones. Thread-safe and
/// lock-free. A fixed seed makes the sequence deterministic (tests); the
/// default seed comes from `std::random_device` and the clock.
class correlation_source {
public:
  correlation_source();
  explicit correlation_source(uint64_t seed) : seed_(seed) {
  }

  /// @returns a fresh id.
  correlation_id next() noexcept;

private:
  uint64_t seed_;
  /// Start of the ordered high half: the start time in ms << 16 (0 when
  /// seeded, for determinism). Ids stay ordered across restarts unless
  /// more than 65 536 per ms of uptime were minted.
  uint64_t base_ = 0;
  std::atomic<uint64_t> counter_{0};
};

} // namespace argus::runtime
