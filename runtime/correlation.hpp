#pragma once

#include "messages/correlation_id.hpp"

#include <atomic>
#include <cstdint>

namespace argus::runtime {

/// Mints correlation ids for events that enter the engine without one:
/// 32 lowercase hex digits, i.e. a valid W3C trace id. Thread-safe and
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
  std::atomic<uint64_t> counter_{0};
};

} // namespace argus::runtime
