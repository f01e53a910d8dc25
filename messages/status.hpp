#pragma once

#include "messages/header.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace argus {

/// Where a component is in its lifecycle.
enum class component_state : uint8_t {
  starting,
  running,
  degraded,
  restarting,
  failed,
  stopped,
};

/// @returns the state's name, e.g. `"running"`.
const char* to_string(component_state x);

/// What a component says about itself when the supervisor asks.
struct component_status {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string id;
  component_state state = component_state::starting;
  int64_t started_at_ns = 0;
  uint32_t restarts = 0;
  std::string last_error;
  uint64_t mailbox_size = 0;
  /// Component-specific counters (`offered`, `accepted`, `dropped_*`, ...).
  std::map<std::string, uint64_t> counters;

  ARGUS_FIELDS(component_status, hdr, id, state, started_at_ns, restarts,
               last_error, mailbox_size, counters)
};

/// @returns a component's answer to a status request of `hdr`.
inline component_status make_status(const message_header& hdr, std::string id,
                                    component_state state,
                                    int64_t started_at_ns,
                                    std::map<std::string, uint64_t> counters) {
  component_status result;
  result.hdr = make_header<component_status>(hdr.corr);
  result.id = std::move(id);
  result.state = state;
  result.started_at_ns = started_at_ns;
  result.counters = std::move(counters);
  return result;
}

/// The integration manager's view of the whole engine.
struct integration_status {
  static constexpr uint16_t version = 1;
  message_header hdr;
  int64_t time_ns = 0;
  std::vector<component_status> components;
  /// Engine-wide counters (client queue, ingest).
  std::map<std::string, uint64_t> counters;

  ARGUS_FIELDS(integration_status, hdr, time_ns, components, counters)
};

} // namespace argus

ARGUS_MSGPACK_ENUM(argus::component_state, argus::component_state::stopped)
