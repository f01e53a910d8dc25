#pragma once

#include "runtime/client.hpp"

#include <atomic>
#include <cstdint>
#include <random>
#include <string>

namespace argus::tools {

/// A simulated trading bot that drives the engine through the public client
/// API, as the spec's `launch_advanced_monitoring.py` does: each request walks
/// analyst -> strategist -> tactician -> supervisor -> exchange, a
/// three-model ensemble votes (a meta-learner sometimes overrides), the
/// market regime moves bull -> sideways -> bear with realistic durations, and
/// models report their behaviour. Deterministic for a given seed.
class demo_bot {
public:
  demo_bot(runtime::client& client, uint64_t seed);

  /// Simulates one bot request at wall-clock time `now_ns`.
  void step(int64_t now_ns);

  /// Requests simulated so far.
  uint64_t requests() const noexcept {
    return requests_;
  }

private:
  runtime::client& client_;
  std::mt19937_64 rng_;
  uint64_t requests_ = 0;
  size_t regime_ = 0;
  int64_t regime_since_ns_ = 0;
  int64_t regime_length_ns_ = 0;
  double weights_[3] = {0.4, 0.35, 0.25};
};

} // namespace argus::tools
