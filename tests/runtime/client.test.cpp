#include "runtime/client.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include "tests/messages/samples.hpp"

using namespace argus;
using namespace argus::runtime;

namespace {

/// A client over a queue that no dispatcher drains: the test pops what the
/// client pushed. The wake-up flag is up as if a drain were on its way, so
/// the client sends nothing.
struct detached_client {
  std::shared_ptr<detail::ingress> core;
  runtime::client client;

  explicit detached_client(size_t capacity = 16,
                           std::shared_ptr<span_buffers> spans = nullptr,
                           size_t door_queue_percent = 100)
      : core(std::make_shared<detail::ingress>(capacity, std::move(spans), 1000,
                                               door_queue_percent)),
        client(core) {
    core->drain_scheduled = true;
    core->accepting = true;
  }

  inbound_event pop() {
    inbound_event e;
    REQUIRE(core->queue.try_pop(e));
    return e;
  }
};

bool is_lower_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

} // namespace

TEST_CASE("the client refuses and counts events while the engine does not "
          "run") {
  detached_client fx;
  fx.core->accepting = false;
  CHECK(!fx.client.record_regime_tracking(test::sample_regime_recorded()));
  auto c = fx.client.counters();
  CHECK(c.offered == 1);
  CHECK(c.accepted == 0);
  CHECK(c.dropped_not_running == 1);
  CHECK(c.queued == 0);
}

TEST_CASE("the client mints a correlation id where an event has none, and "
          "stamps its version and time") {
  detached_client fx;
  regime_recorded bare;
  CHECK(fx.client.record_regime_tracking(bare));
  auto own = test::sample_regime_recorded();
  CHECK(fx.client.record_regime_tracking(own));
  auto minted = std::get<regime_recorded>(fx.pop());
  auto id = minted.hdr.corr.str();
  CHECK(id.size() == 32);
  CHECK(is_lower_hex(id));
  CHECK(minted.hdr.version == regime_recorded::version);
  CHECK(minted.time_ns > 0);
  auto kept = std::get<regime_recorded>(fx.pop());
  CHECK(kept.hdr.corr == own.hdr.corr);
  CHECK(kept.time_ns == own.time_ns);
  // Ids sort by creation.
  CHECK(fx.client.new_correlation_id().str() > id);
}

TEST_CASE("the client drops and counts what a full queue cannot take: "
          "offered = accepted + dropped") {
  detached_client fx{2};
  CHECK(fx.client.record_decision_step(test::sample_decision_step_recorded()));
  CHECK(fx.client.record_ensemble_tracking(test::sample_ensemble_recorded()));
  CHECK(!fx.client.record(test::sample_trade_executed()));
  auto c = fx.client.counters();
  CHECK(c.offered == 3);
  CHECK(c.accepted == 2);
  CHECK(c.dropped_queue_full == 1);
  CHECK(c.queued == 2);
  auto m = fx.client.counter_map();
  CHECK(m.at("client_offered") == 3);
  CHECK(m.at("client_dropped_queue_full") == 1);
  CHECK(m.at("client_queued") == 2);
}

TEST_CASE("a door that can wait fills the queue only to its share and leaves "
          "the rest to the bot") {
  detached_client fx{16, nullptr, 75};
  CHECK(fx.core->door_limit == 12);
  size_t taken = 0;
  for (int i = 0; i < 20; ++i) {
    inbound_event e{test::sample_regime_recorded()};
    if (fx.client.offer(e) == client::offer_result::accepted)
      ++taken;
  }
  CHECK(taken == 12);
  // The door's refusals are not drops: the door keeps the event and waits.
  CHECK(fx.client.counters().dropped_queue_full == 0);
  for (int i = 0; i < 4; ++i)
    CHECK(fx.client.record(test::sample_trade_executed()));
  CHECK(!fx.client.record(test::sample_trade_executed()));
  CHECK(fx.client.counters().dropped_queue_full == 1);
  // Room again below the share: the door is taken again.
  fx.pop();
  fx.pop();
  fx.pop();
  fx.pop();
  fx.pop();
  inbound_event e{test::sample_regime_recorded()};
  CHECK(fx.client.offer(e) == client::offer_result::accepted);
}

TEST_CASE("a request scope reports its start and, at scope exit, a "
          "completed or failed end") {
  detached_client fx;
  auto cid = *correlation_id::parse("req_1");
  { auto r = fx.client.trace_request(cid, "place_order"); }
  auto started = std::get<request_started>(fx.pop());
  CHECK(started.hdr.corr == cid);
  CHECK(started.operation == "place_order");
  auto done = std::get<request_finished>(fx.pop());
  CHECK(done.success);
  {
    auto r = fx.client.trace_request(cid);
    r.fail("rejected", "no funds");
  }
  fx.pop();
  auto failed = std::get<request_finished>(fx.pop());
  CHECK(!failed.success);
  CHECK(failed.error_type == "rejected");
  CHECK(failed.error_message == "no funds");
  CHECK_THROWS_AS(fx.client.traced_request(cid, "cancel",
                                           [] {
                                             throw std::runtime_error{
                                               "venue down"};
                                           }),
                  std::runtime_error);
  fx.pop();
  auto thrown = std::get<request_finished>(fx.pop());
  CHECK(!thrown.success);
  CHECK(thrown.error_message == "venue down");
  CHECK(thrown.error_type.find("runtime_error") != std::string::npos);
}

TEST_CASE("a traced function's exception marks its span failed and "
          "propagates") {
  auto spans = std::make_shared<span_buffers>(16);
  detached_client fx{16, spans};
  auto cid = *correlation_id::parse("req_2");
  CHECK(fx.client.traced(component_type::analyst, "features", cid,
                         [](scoped_span&) {
                           return 7;
                         })
        == 7);
  CHECK_THROWS(fx.client.traced(component_type::analyst, "model", cid,
                                [](scoped_span&) -> int {
                                  throw std::invalid_argument{"nan input"};
                                }));
  std::vector<span_recorded> got;
  spans->drain(10, [&](span_slot& s) {
    got.push_back(to_span_recorded(s));
    delete s.overflow;
  });
  REQUIRE(got.size() == 2);
  CHECK(got[0].operation == "features");
  CHECK(got[0].status != span_status::error);
  CHECK(got[1].operation == "model");
  CHECK(got[1].status == span_status::error);
  CHECK(got[1].status_message == "nan input");
  // Without span buffers, or while not running, spans are no-ops.
  detached_client untraced;
  CHECK(untraced.client.traced(component_type::analyst, "x", cid,
                               [](scoped_span&) {
                                 return 1;
                               })
        == 1);
}

TEST_CASE("metric handles record into the registry the dashboard reads, and "
          "a name of another kind gives a handle that records nothing") {
  detached_client fx;
  auto orders = fx.client.counter("orders", {{"venue", "a"}});
  REQUIRE(orders.valid());
  orders.inc();
  orders.inc(2);
  CHECK(fx.client.record("orders", 4, {{"venue", "a"}}, metric_kind::counter));
  auto clash = fx.client.gauge("orders");
  CHECK(!clash.valid());
  clash.set(1); // no effect, no crash
  CHECK(!fx.client.record("equity", std::nan("")));
  uint64_t total = 0;
  fx.client.metrics().for_each([&](const auto& s) {
    if (s.name == "orders" && s.counter)
      total = s.counter->value();
  });
  CHECK(total == 7);
  CHECK(fx.client.metrics().kind_conflicts() == 1);
}
