#pragma once

// Handing an event from outside (the wire, an HTTP request) to the engine:
// the same admission and backpressure for every door.

#include "messages/events.hpp"
#include "runtime/client.hpp"

#include <functional>

namespace argus::runtime {

/// Gives `event` the correlation id the client would mint, if it has none,
/// so that an answer can echo it and a span can take its trace id from it.
void mint_correlation_if_missing(client& c, inbound_event& event);

/// Offers `event` until the engine takes it, waiting (20 us doubling to
/// 2 ms) while the queue is full instead of dropping it.
/// @returns `accepted`, `not_running`, or `queue_full` once `give_up`
///          says so.
client::offer_result offer_until_taken(client& c, inbound_event& event,
                                       const std::function<bool()>& give_up);

} // namespace argus::runtime
