#include "runtime/dispatcher.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <doctest/doctest.h>

#include "tests/messages/samples.hpp"
#include "tests/support/fixture.hpp"

using namespace argus;
using namespace std::chrono_literals;

namespace {

void push(runtime::detail::ingress& core, inbound_event ev) {
  REQUIRE(core.queue.try_push(ev));
}

/// What a tracker that answers only when told has seen.
struct held_batches {
  std::vector<caf::typed_response_promise<uint64_t>> held;
  std::vector<size_t> batch_sizes;
  size_t released = 0;
};

/// Stands in for the tracker: keeps each batch's promise until it receives
/// `atom::drain` (dynamically typed, so the test can talk to it).
caf::behavior held_tracker(caf::event_based_actor* self,
                           std::shared_ptr<held_batches> log) {
  return {
    [=](tracking_batch& b) -> caf::result<uint64_t> {
      log->batch_sizes.push_back(b.size());
      auto rp = self->make_response_promise<uint64_t>();
      log->held.push_back(rp);
      return rp;
    },
    [=](atom::drain) {
      auto i = log->released++;
      log->held[i].deliver(uint64_t{log->batch_sizes[i]});
    },
  };
}

} // namespace

TEST_CASE("dispatcher sorts events by destination and counts the rest") {
  runtime::dispatcher_state st;
  st.core = std::make_shared<runtime::detail::ingress>(64);
  push(*st.core, test::sample_regime_recorded());
  push(*st.core, test::sample_metric_sampled());
  push(*st.core, test::sample_ensemble_recorded());
  push(*st.core, test::sample_decision_step_recorded());
  push(*st.core, test::sample_model_behavior_recorded());
  push(*st.core, test::sample_span_recorded());
  auto b = st.take(4, {true, true, true, true});
  CHECK(b.popped == 4);
  CHECK(b.tracking.regimes.size() == 1);
  CHECK(b.tracking.ensembles.size() == 1);
  CHECK(b.tracking.decisions.size() == 1);
  CHECK(b.metrics.samples.size() == 1);
  CHECK(b.unrouted == 0);
  // No tracker and no tracer: their events are unrouted.
  auto rest = st.take(10, {});
  CHECK(rest.popped == 2);
  CHECK(rest.tracking.empty());
  CHECK(rest.spans.spans.empty());
  CHECK(rest.unrouted == 2);
  CHECK(st.popped == 6);
}

TEST_CASE("dispatcher keeps one batch in flight, so the client queue is the "
          "only place events wait") {
  test::deterministic_fixture fx;
  auto core = std::make_shared<runtime::detail::ingress>(2048);
  core->accepting = true;
  auto disp = fx.sys.spawn(runtime::dispatcher, core);
  core->dispatcher = caf::actor_cast<caf::strong_actor_ptr>(disp);
  auto log = std::make_shared<held_batches>();
  auto tracker = fx.sys.spawn(held_tracker, log);
  fx.self->send(disp, atom::route_v, caf::actor_cast<tracker_actor>(tracker));
  fx.run();
  runtime::client client{core};
  for (int i = 0; i < 3000; ++i)
    client.record_regime_tracking(test::sample_regime_recorded());
  fx.run();
  auto& held = *log;
  // One batch went out; the rest waits in the bounded queue, and what did
  // not fit there was dropped and counted at the client.
  REQUIRE(held.batch_sizes.size() == 1);
  CHECK(held.batch_sizes[0] == runtime::dispatcher_batch);
  auto c = client.counters();
  CHECK(c.accepted == 2048);
  CHECK(c.dropped_queue_full == 3000 - 2048);
  CHECK(c.queued == 2048 - runtime::dispatcher_batch);
  // A flush now must wait for everything accepted before it.
  fx.self->send(disp, atom::flush_v, message_header{});
  fx.run();
  // Each answer lets exactly one more batch go.
  while (held.released < held.held.size()) {
    fx.self->send(tracker, atom::drain_v);
    fx.run();
    CHECK(held.batch_sizes.size() <= held.released + 1);
  }
  CHECK(held.batch_sizes.size() == 4); // 512 + 512 + 512 + 512 = 2048
  CHECK(client.counters().dispatched == 2048);
  CHECK(client.counters().queued == 0);
  // The flush went on once the queue was empty; with no supervisor it says
  // the engine is not started.
  bool answered = false;
  fx.self->receive(
    [&](flush_ack&) {
      answered = true;
    },
    [&](caf::error& err) {
      answered = true;
      CHECK(err == ec::component_down);
    },
    caf::after(0s) >> [] {});
  CHECK(answered);
  fx.self->send_exit(disp, caf::exit_reason::user_shutdown);
  fx.self->send_exit(tracker, caf::exit_reason::user_shutdown);
  fx.run();
}
