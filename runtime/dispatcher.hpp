#pragma once

#include "messages/interfaces.hpp"
#include "runtime/client.hpp"

#include <memory>
#include <vector>

namespace argus::runtime {

/// Events popped from the client queue, sorted by destination.
struct routed_batch {
  tracking_batch tracking;
  span_batch spans;
  request_batch requests;
  metrics_batch metrics;
  ml_batch ml;
  /// Events no running component takes (their components arrive with later
  /// issues, or theirs is down).
  uint64_t unrouted = 0;
  size_t popped = 0;
};

/// State of the dispatcher: moves events from the client queue to the
/// components, one batch per component in flight at a time. Because the next
/// batch leaves only when the last one was taken (and the tracker answers only
/// once the storage writer has the rows), the bounded client queue is the one
/// place where events wait: when the engine falls behind it fills up and the
/// client drops and counts, instead of mailboxes growing without bound.
struct dispatcher_state {
  static inline const char* name = "dispatcher";

  /// Which components run (events for the others are counted as unrouted).
  struct routes {
    bool tracker = false;
    bool tracer = false;
    bool correlations = false;
    bool dashboard = false;
    bool ml = false;
  };

  /// Pops at most `max` events and sorts them by destination.
  routed_batch take(size_t max, routes available);

  /// A flush waiting for every event accepted before it to be taken.
  struct pending_flush {
    caf::typed_response_promise<flush_ack> rp;
    message_header hdr;
    /// `popped` must reach this before the flush goes on to the supervisor.
    uint64_t target;
  };

  std::shared_ptr<detail::ingress> core;
  tracker_actor tracker;
  tracer_actor tracer;
  correlation_manager_actor correlations;
  metrics_dashboard_actor dashboard;
  ml_monitor_actor ml;
  supervisor_actor supervisor;
  /// Batches handed out and not yet answered (at most one per component).
  int in_flight = 0;
  /// Events popped since start.
  uint64_t popped = 0;
  std::vector<pending_flush> flushes;
};

/// Events popped per batch.
inline constexpr size_t dispatcher_batch = 512;

dispatcher_actor::behavior_type
dispatcher(dispatcher_actor::stateful_pointer<dispatcher_state> self,
           std::shared_ptr<detail::ingress> core);

} // namespace argus::runtime
