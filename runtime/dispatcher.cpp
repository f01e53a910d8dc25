#include "runtime/dispatcher.hpp"

#include "messages/codec.hpp"
#include "runtime/privacy/redactor.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <new>

namespace argus::runtime {

namespace {

/// How long the dispatcher waits for a component to take a batch.
constexpr auto delivery_timeout = std::chrono::seconds{60};

using self_ptr = dispatcher_actor::stateful_pointer<dispatcher_state>;

/// Hands flushes on to the supervisor once everything accepted before them
/// was taken by the components.
void release_flushes(self_ptr self) {
  auto& st = self->state;
  auto i = st.flushes.begin();
  while (i != st.flushes.end()) {
    if (st.taken_through() < i->target) {
      ++i;
      continue;
    }
    auto rp = i->rp;
    // What this flush covers and storage will never see: the flush still
    // commits everything else, but cannot acknowledge.
    auto lost = st.take_not_taken();
    if (!st.supervisor)
      rp.deliver(caf::make_error(ec::component_down, "engine not started"));
    else
      self->request(st.supervisor, caf::infinite, atom::flush_v, i->hdr)
        .then(
          [rp, lost](flush_ack& ack) mutable {
            if (lost.empty())
              rp.deliver(std::move(ack));
            else
              rp.deliver(caf::make_error(
                ec::component_down,
                "committed " + std::to_string(ack.committed_rows)
                  + " rows, but events since the previous flush were not "
                    "taken: "
                  + lost));
          },
          [rp](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
    i = st.flushes.erase(i);
  }
}

/// Moves batches out of the client queue until it is empty or
/// `rounds_in_flight` rounds wait for their answers.
void pump(self_ptr self) {
  auto& st = self->state;
  auto& core = *st.core;
  while (st.rounds.size() < rounds_in_flight) {
    // From here on, a producer that finds the flag down wakes us up.
    core.drain_scheduled.store(false, std::memory_order_release);
    auto taken = st.take(dispatcher_batch);
    if (taken.popped == 0)
      break;
    core.drain_scheduled.store(true, std::memory_order_release);
    core.unrouted.fetch_add(taken.unrouted, std::memory_order_relaxed);
    auto round = st.open_round(taken.popped);
    // In dependency order: the correlation manager knows a request before
    // the tracer reports the components its spans touched.
    for (size_t r = 0; r < st.routes.size(); ++r) {
      auto& route = st.routes[r];
      if (route->empty())
        continue;
      st.add_delivery(round);
      route->deliver(
        self, delivery_timeout,
        [self, round](uint64_t n) {
          self->state.core->dispatched.fetch_add(n, std::memory_order_relaxed);
          self->state.answered(round);
          pump(self);
        },
        [self, r, round](size_t n) {
          // The component crashed or timed out: the supervisor restarts it
          // and the next flush reports the crash; these events are counted.
          self->state.core->failed_delivery.fetch_add(
            n, std::memory_order_relaxed);
          self->state.failed_by_route[r] += n;
          self->state.answered(round);
          pump(self);
        });
    }
    // A round no component had to take (all unrouted) is done at once.
    st.retire_rounds();
  }
  release_flushes(self);
}

} // namespace

void dispatcher_state::init(const component_plan& plan) {
  constexpr auto alternatives = std::variant_size_v<inbound_event>;
  taker.assign(alternatives, -1);
  peekers.assign(alternatives, {});
  unrouted_by_kind.assign(alternatives, 0);
  for (const auto& spec : plan) {
    if (!spec.route)
      continue;
    auto slot = static_cast<int>(routes.size());
    routes.push_back(spec.route());
    // The plan has already refused two takers of one event.
    for (auto i : routes.back()->takes())
      taker[i] = slot;
    for (auto i : routes.back()->peeks())
      peekers[i].push_back(slot);
  }
  failed_by_route.assign(routes.size(), 0);
}

std::string dispatcher_state::take_not_taken() {
  std::string result;
  auto add = [&](std::string what) {
    result += (result.empty() ? "" : "; ") + what;
  };
  for (size_t kind = 0; kind < unrouted_by_kind.size(); ++kind) {
    auto n = std::exchange(unrouted_by_kind[kind], 0);
    if (n == 0)
      continue;
    auto name = codec::type_name(kind);
    auto i = taker[kind];
    add(std::to_string(n) + " " + name + ": "
        + (i >= 0 ? routes[i]->id() + " is not running"
                  : std::string{"no component takes them"}));
  }
  if (auto n = std::exchange(lost_out_of_memory, 0); n > 0)
    add(std::to_string(n) + " lost: out of memory while taking them");
  for (size_t r = 0; r < failed_by_route.size(); ++r)
    if (auto n = std::exchange(failed_by_route[r], 0); n > 0)
      add(std::to_string(n) + " to " + routes[r]->id()
          + ": it crashed or timed out before taking them");
  return result;
}

void dispatcher_state::route(const component_directory& directory) {
  for (auto& r : routes)
    r->locate(directory);
  supervisor = directory.get(supervisor_key);
}

uint64_t dispatcher_state::open_round(size_t events) {
  auto seq = next_round++;
  rounds.push_back({popped - events, 0});
  return seq;
}

void dispatcher_state::add_delivery(uint64_t round) {
  ++rounds[round - first_round].outstanding;
}

void dispatcher_state::answered(uint64_t round) {
  --rounds[round - first_round].outstanding;
  retire_rounds();
}

void dispatcher_state::retire_rounds() {
  // Answers come in any order across components; a round counts as taken
  // only with every round before it.
  while (!rounds.empty() && rounds.front().outstanding == 0) {
    rounds.pop_front();
    ++first_round;
  }
}

uint64_t dispatcher_state::taken_through() const {
  return rounds.empty() ? popped : rounds.front().begin;
}

dispatcher_state::take_result dispatcher_state::take(size_t max) {
  take_result result;
  inbound_event event;
  // Copied, not moved, out of the queue: what the bot's thread allocated
  // for an event is freed on the bot's thread when it reuses the cell
  // (see bounded_queue::try_pop_copy).
  for (;;) {
    if (result.popped >= max)
      break;
    try {
      if (!core->queue.try_pop_copy(event))
        break;
    } catch (const std::bad_alloc&) {
      // The queue has released the cell; the event is gone, and the next
      // flush says so.
      ++result.popped;
      ++result.unrouted;
      ++lost_out_of_memory;
      continue;
    }
    ++result.popped;
    // Anonymised before any component sees it; out of memory, the event is
    // lost (and the next flush says so) rather than kept as it came.
    if (core->privacy) {
      try {
        core->privacy->apply(event);
      } catch (const std::bad_alloc&) {
        ++result.unrouted;
        ++lost_out_of_memory;
        continue;
      }
    }
    auto kind = event.index();
    for (auto i : peekers[kind])
      if (routes[i]->running())
        routes[i]->peek(event);
    auto i = taker[kind];
    if (i >= 0 && routes[i]->running())
      routes[i]->take(event);
    else {
      // No component takes it (none is registered for it yet, or its
      // component is down): counted, never silently lost, and the next
      // flush says so.
      ++result.unrouted;
      ++unrouted_by_kind[kind];
    }
  }
  popped += result.popped;
  return result;
}

dispatcher_actor::behavior_type
dispatcher(dispatcher_actor::stateful_pointer<dispatcher_state> self,
           std::shared_ptr<detail::ingress> core, const component_plan& plan) {
  self->state.core = std::move(core);
  self->state.init(plan);
  return {
    [=](atom::drain) {
      pump(self);
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      auto& st = self->state;
      auto rp = self->make_response_promise<flush_ack>();
      // Every event accepted before this flush has been pushed completely,
      // so it is counted in the queue's size right now.
      st.flushes.push_back({rp, hdr, st.popped + st.core->queue.size_approx()});
      pump(self);
      return rp;
    },
    [=](atom::route, const component_directory& directory) {
      self->state.route(directory);
    },
  };
}

} // namespace argus::runtime
