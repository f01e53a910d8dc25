#include "runtime/dispatcher.hpp"

#include "actors/registry.hpp"
#include "messages/codec.hpp"

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

namespace {

/// What the test routes filed, in order.
using filed_log = std::shared_ptr<std::vector<std::string>>;

/// A component that is never spawned: the test only routes to it.
template <class Handle>
component_builder<Handle> unspawned(component_key<Handle> key) {
  return component(key, [](const component_context&) -> Handle {
    FAIL("not spawned in this test");
    return {};
  });
}

} // namespace

TEST_CASE("dispatcher files each event with the route that takes it, lets "
          "others look first, and counts the rest") {
  test::deterministic_fixture fx;
  auto filed = std::make_shared<std::vector<std::string>>();
  component_plan plan;
  plan.push_back(unspawned(tracker_key)
                   .routes<tracking_batch>(
                     event_types<regime_recorded, ensemble_recorded>{},
                     event_types<trade_executed>{},
                     [filed](tracking_batch& b, const auto& e) {
                       filed->push_back(std::string{"tracker "}
                                        + codec::type_name(inbound_event{e}));
                       b.outcomes.emplace_back();
                     }));
  plan.push_back(unspawned(metrics_dashboard_key)
                   .routes<metrics_batch>(
                     event_types<metric_sampled, trade_executed>{},
                     event_types<>{}, [filed](metrics_batch& b, auto& e) {
                       filed->push_back(std::string{"dashboard "}
                                        + codec::type_name(inbound_event{e}));
                       b.samples.emplace_back();
                     }));
  runtime::dispatcher_state st;
  st.core = std::make_shared<runtime::detail::ingress>(64);
  st.init(plan);
  REQUIRE(st.routes.size() == 2);
  auto dummy = fx.sys.spawn([] {
    return caf::behavior{[](int) {}};
  });
  component_directory running;
  running.put("tracker", dummy);
  running.put("metrics_dashboard", dummy);
  st.route(running);
  push(*st.core, test::sample_regime_recorded());
  push(*st.core, test::sample_trade_executed());
  push(*st.core, test::sample_span_recorded());
  push(*st.core, test::sample_metric_sampled());
  push(*st.core, test::sample_ensemble_recorded());
  auto b = st.take(4);
  CHECK(b.popped == 4);
  // No route takes spans here.
  CHECK(b.unrouted == 1);
  CHECK(*filed
        == std::vector<std::string>{
          "tracker regime_recorded", "tracker trade_executed",
          "dashboard trade_executed", "dashboard metric_sampled"});
  CHECK(!st.routes[0]->empty());
  CHECK(!st.routes[1]->empty());
  // The tracker stops: its events are unrouted, and it no longer looks.
  running.erase("tracker");
  st.route(running);
  filed->clear();
  push(*st.core, test::sample_trade_executed());
  auto rest = st.take(10);
  CHECK(rest.popped == 2);
  CHECK(rest.unrouted == 1); // the ensemble event
  CHECK(*filed == std::vector<std::string>{"dashboard trade_executed"});
  CHECK(st.popped == 6);
  fx.self->send_exit(dummy, caf::exit_reason::user_shutdown);
  fx.run();
}

TEST_CASE("dispatcher keeps a bounded number of batches in flight, so the "
          "client queue is the only place events wait") {
  test::deterministic_fixture fx;
  auto core = std::make_shared<runtime::detail::ingress>(2048);
  core->accepting = true;
  config::engine_config cfg;
  auto plan = builtin_components({}).plan(cfg);
  REQUIRE(plan);
  auto disp = fx.sys.spawn(runtime::dispatcher, core, *plan);
  core->dispatcher = disp;
  auto log = std::make_shared<held_batches>();
  auto tracker = fx.sys.spawn(held_tracker, log);
  // The built-in routes, with a stand-in for the tracker and no supervisor.
  component_directory running;
  running.put("tracker", tracker);
  fx.self->send(disp, atom::route_v, running);
  fx.run();
  runtime::client client{core};
  for (int i = 0; i < 3000; ++i)
    client.record_regime_tracking(test::sample_regime_recorded());
  fx.run();
  auto& held = *log;
  // Two batches went out; the rest waits in the bounded queue, and what did
  // not fit there was dropped and counted at the client.
  constexpr auto in_flight = runtime::rounds_in_flight;
  static_assert(in_flight >= 2 && in_flight * runtime::dispatcher_batch < 2048);
  REQUIRE(held.batch_sizes.size() == in_flight);
  for (auto n : held.batch_sizes)
    CHECK(n == runtime::dispatcher_batch);
  auto c = client.counters();
  CHECK(c.accepted == 2048);
  CHECK(c.dropped_queue_full == 3000 - 2048);
  CHECK(c.queued == 2048 - in_flight * runtime::dispatcher_batch);
  // A flush now must wait for everything accepted before it.
  fx.self->send(disp, atom::flush_v, message_header{});
  fx.run();
  auto flush_answered = [&] {
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
    return answered;
  };
  // Each answer lets exactly one more batch go, and the flush waits for the
  // last one.
  while (held.released < held.held.size()) {
    INFO("released ", held.released);
    CHECK_FALSE(flush_answered());
    fx.self->send(tracker, atom::drain_v);
    fx.run();
    CHECK(held.batch_sizes.size() <= held.released + in_flight);
  }
  CHECK(held.batch_sizes.size() == 4); // 512 + 512 + 512 + 512 = 2048
  CHECK(client.counters().dispatched == 2048);
  CHECK(client.counters().queued == 0);
  // The flush went on once the queue was empty; with no supervisor it says
  // the engine is not started.
  CHECK(flush_answered());
  fx.self->send_exit(disp, caf::exit_reason::user_shutdown);
  fx.self->send_exit(tracker, caf::exit_reason::user_shutdown);
  fx.run();
}
