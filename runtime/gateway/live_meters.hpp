#pragma once

// The live topics' own metrics on /metrics, sampled from the gateway's
// totals once per update interval (like a collector at scrape time): the
// fan-out path itself stays free of registry calls.
//
//   argus_live_messages_total{topic}        published on each topic
//   argus_live_dropped_total                lost by slow clients (each told)
//   argus_live_closed_total{reason}         slow | heartbeat | too_big
//   argus_live_connections                  open /ws clients

#include "runtime/client.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace argus::gateway {

class live_meters {
public:
  explicit live_meters(runtime::client c);

  /// Adds to each counter what its total in `gateway_counters` (as
  /// `gateway::counters()` names them) grew by since the last call.
  void sample(const std::map<std::string, uint64_t>& gateway_counters) noexcept;

private:
  struct tracked {
    /// The key in `gateway::counters()`.
    std::string total;
    runtime::counter_handle counter;
    uint64_t seen = 0;
  };

  std::vector<tracked> counters_;
  runtime::gauge_handle connections_;
};

} // namespace argus::gateway
