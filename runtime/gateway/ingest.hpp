#pragma once

// Events from HTTP bodies: the wire format's envelope written as JSON.

#include "messages/events.hpp"

#include <caf/expected.hpp>

#include <nlohmann/json_fwd.hpp>

namespace argus::gateway {

/// Reads one event given as `{"type": name, "body": {...}}` or `[name,
/// {...}]` (docs/WIRE.md's envelope in JSON) through the msgpack decoder,
/// with its limits and checks. @returns the event, or why it is refused.
/// Never throws.
caf::expected<inbound_event> event_from_json(const nlohmann::json& e);

} // namespace argus::gateway
