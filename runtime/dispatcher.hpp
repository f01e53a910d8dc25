#pragma once

#include "messages/interfaces.hpp"
#include "runtime/client.hpp"

#include <memory>

namespace argus::runtime {

/// State of the dispatcher: drains the client queue and routes each event to
/// the component that owns it.
struct dispatcher_state {
  static inline const char* name = "dispatcher";

  /// Pops at most `max_batch` events and routes them with `route`.
  /// @returns whether events may remain.
  template <class Route>
  bool drain(size_t max_batch, Route route) {
    inbound_event event;
    for (size_t i = 0; i < max_batch; ++i) {
      if (!core->queue.try_pop(event))
        return false;
      route(event);
    }
    return true;
  }

  std::shared_ptr<detail::ingress> core;
  tracker_actor tracker;
  supervisor_actor supervisor;
};

/// Events drained per message, so one busy producer cannot starve the
/// dispatcher's other messages.
inline constexpr size_t dispatcher_batch = 512;

dispatcher_actor::behavior_type
dispatcher(dispatcher_actor::stateful_pointer<dispatcher_state> self,
           std::shared_ptr<detail::ingress> core);

} // namespace argus::runtime
