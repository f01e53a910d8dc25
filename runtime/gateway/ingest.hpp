#pragma once

// Events from HTTP bodies: the wire format's envelope written as JSON.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace argus::gateway {

/// A batch of events read from a JSON body, each event transcoded into the
/// wire's msgpack envelope (docs/WIRE.md) for `codec::decode_event`, so an
/// event from HTTP is held to the wire's limits and checks.
struct event_batch {
  /// One event of the batch: its envelope in `envelopes`, or why its JSON
  /// is not one.
  struct entry {
    size_t offset = 0;
    size_t size = 0;
    std::string defect;
  };
  /// Every envelope, one after the other (one buffer, not one per event).
  std::string envelopes;
  std::vector<entry> entries;

  std::string_view envelope(const entry& e) const {
    return std::string_view{envelopes}.substr(e.offset, e.size);
  }
};

/// Reads `body`: an array of events or `{"events": [...]}`, each event
/// `{"type": name, "body": {...}}` or `[name, {...}]`. Streams the JSON
/// straight into msgpack, with no document in between. An event of the
/// wrong shape, or nested deeper than the wire allows, gets its defect; a
/// body that is not JSON or not a batch gets nothing, with why in `error`
/// (for JSON, "malformed JSON at byte N: ..."). Never throws.
std::optional<event_batch> read_event_batch(std::string_view body,
                                            std::string& error);

} // namespace argus::gateway
