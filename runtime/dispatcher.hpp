#pragma once

#include "actors/common/component_registry.hpp"
#include "messages/interfaces.hpp"
#include "runtime/client.hpp"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace argus::runtime {

/// State of the dispatcher: moves events from the client queue to the
/// components in rounds (one batch popped, split among the components that
/// take its events), at most `rounds_in_flight` unanswered at a time.
/// Because a round leaves only when there is room (and the components answer
/// only once the storage writer has the rows), the bounded client queue is
/// the one place where events wait: when the engine falls behind it fills up
/// and the client drops and counts, instead of mailboxes growing without
/// bound. Two rounds rather than one keep every stage busy: a component
/// works on one batch while the dispatcher pops the next. Which component
/// takes which event comes from the registry.
struct dispatcher_state {
  static inline const char* name = "dispatcher";

  /// What one `take` did.
  struct take_result {
    size_t popped = 0;
    /// Events no running component takes.
    uint64_t unrouted = 0;
  };

  /// Builds one route per component of `plan` that takes events.
  void init(const component_plan& plan);

  /// Pops at most `max` events into the routes of the running components.
  take_result take(size_t max);

  /// Where the components run now.
  void route(const component_directory& directory);

  /// @returns what happened to the events not taken since the last call
  /// (e.g. "2 regime_recorded: tracker is not running"), empty if every
  /// event was taken, and starts counting over.
  std::string take_not_taken();

  /// A flush waiting for every event accepted before it to be taken.
  struct pending_flush {
    caf::typed_response_promise<flush_ack> rp;
    message_header hdr;
    /// `popped` must reach this before the flush goes on to the supervisor.
    uint64_t target;
  };

  std::shared_ptr<detail::ingress> core;
  /// One per component that takes events, in dependency order (the order
  /// batches leave in); a route whose component does not run leaves its
  /// events unrouted.
  std::vector<std::unique_ptr<event_route>> routes;
  /// Per `inbound_event` alternative: the slot that takes it (-1: none).
  std::vector<int> taker;
  /// Per alternative: the slots that look at it before it is taken.
  std::vector<std::vector<int>> peekers;
  supervisor_actor supervisor;
  /// Per alternative: events no running component took, since the last
  /// flush was answered.
  std::vector<uint64_t> unrouted_by_kind;
  /// Per route: events its component did not take (crashed, timed out).
  std::vector<uint64_t> failed_by_route;
  /// Events lost because copying one out of the queue ran out of memory,
  /// since the last flush.
  uint64_t lost_out_of_memory = 0;
  /// One batch popped and handed to the components that take its events.
  struct round {
    /// `popped` before the round's events.
    uint64_t begin;
    /// Components that have not answered yet.
    int outstanding;
  };

  /// Starts a round with the `events` popped last. @returns its number.
  uint64_t open_round(size_t events);

  /// One more component must answer for `round`.
  void add_delivery(uint64_t round);

  /// A component answered (taken or failed) for `round`.
  void answered(uint64_t round);

  /// Forgets the oldest rounds every component has answered for.
  void retire_rounds();

  /// @returns how many popped events every component has answered for, in
  /// pop order: a flush waits for this to reach its target.
  uint64_t taken_through() const;

  /// Rounds not yet answered by all their components, oldest first.
  std::deque<round> rounds;
  /// The number of `rounds.front()`.
  uint64_t first_round = 0;
  uint64_t next_round = 0;
  /// Events popped since start.
  uint64_t popped = 0;
  std::vector<pending_flush> flushes;
};

/// Events popped per batch.
inline constexpr size_t dispatcher_batch = 512;

/// Rounds handed out and not yet answered, at most.
inline constexpr size_t rounds_in_flight = 2;

dispatcher_actor::behavior_type
dispatcher(dispatcher_actor::stateful_pointer<dispatcher_state> self,
           std::shared_ptr<detail::ingress> core, const component_plan& plan);

} // namespace argus::runtime
