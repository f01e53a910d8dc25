#include "actors/supervisor/supervisor.hpp"

#include "actors/registry.hpp"
#include "actors/supervisor/restart_policy.hpp"
#include "messages/error.hpp"
#include "runtime/dispatcher.hpp"

#include <SQLiteCpp/Database.h>
#include <caf/actor_cast.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>

#include "tests/messages/samples.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace argus;
using namespace std::chrono_literals;

namespace {

logger_factory quiet_loggers() {
  auto sink = std::make_shared<spdlog::sinks::null_sink_mt>();
  return [sink](const std::string& id) {
    return std::make_shared<spdlog::logger>(id, sink);
  };
}

/// A supervisor over a temporary database, in virtual time.
struct supervised : test::deterministic_fixture {
  test::temp_dir dir;
  config::engine_config cfg;
  std::shared_ptr<span_buffers> spans = std::make_shared<span_buffers>(64);
  std::shared_ptr<runtime::detail::ingress> ingress
    = std::make_shared<runtime::detail::ingress>(64, spans);
  dispatcher_actor dispatcher;
  supervisor_actor sup;

  explicit supervised(size_t max_restarts = 5) {
    cfg.storage.path = dir.file("sup.db");
    // Every actor on the test coordinator, none on a thread of its own.
    cfg.runtime.dedicated_threads = false;
    cfg.monitoring_integration.max_restarts = max_restarts;
    cfg.monitoring_integration.restart_backoff_initial = 100ms;
    auto plan = builtin_components({spans, {}}).plan(cfg);
    REQUIRE(plan);
    dispatcher = sys.spawn(runtime::dispatcher, ingress, *plan);
    sup = sys.spawn(supervisor, cfg, dispatcher, *plan, quiet_loggers());
    run();
  }

  ~supervised() {
    self->send_exit(dispatcher, caf::exit_reason::user_shutdown);
    if (sup)
      self->send_exit(sup, caf::exit_reason::kill);
    run();
  }

  component_directory directory() {
    self->send(sup, atom::lookup_v);
    run();
    component_directory result;
    self->receive(
      [&](component_directory& x) {
        result = std::move(x);
      },
      caf::after(0s) >>
        [] {
          FAIL("no lookup reply");
        });
    return result;
  }

  /// @returns the running component `id`, or an invalid handle.
  caf::actor lookup(const std::string& id) {
    auto dir = directory();
    auto found = dir.find(id);
    return found ? *found : caf::actor{};
  }

  template <class Handle>
  Handle find(component_key<Handle> key) {
    return directory().get(key);
  }

  integration_status status() {
    self->send(sup, atom::status_v, message_header{});
    run();
    integration_status result;
    self->receive(
      [&](integration_status& x) {
        result = std::move(x);
      },
      caf::after(0s) >>
        [] {
          FAIL("no status reply");
        });
    return result;
  }

  const component_status& component(const integration_status& st,
                                    const std::string& id) {
    for (const auto& c : st.components)
      if (c.id == id)
        return c;
    FAIL("no component " << id);
    return st.components.front();
  }

  int64_t rows(const std::string& table) {
    SQLite::Database db{cfg.storage.path, SQLite::OPEN_READONLY};
    return db.execAndGet("SELECT count(*) FROM " + table).getInt64();
  }
};

} // namespace

TEST_CASE("supervisor spawns storage first, then the correlation manager, "
          "the tracer, the tracker, the ML monitor and the report scheduler") {
  supervised fx;
  auto st = fx.status();
  REQUIRE(st.components.size() == 6);
  CHECK(st.components[0].id == "storage_writer");
  CHECK(st.components[1].id == "correlation_manager");
  CHECK(st.components[2].id == "tracer");
  CHECK(st.components[3].id == "tracker");
  CHECK(st.components[4].id == "ml_monitor");
  CHECK(st.components[5].id == "report_scheduler");
  for (const auto& c : st.components)
    CHECK(c.state == component_state::running);
  // Counters come from the components themselves.
  CHECK(st.components[0].counters.count("committed_rows") == 1);
}

TEST_CASE("supervisor restarts a crashed component after its backoff") {
  supervised fx;
  auto first = fx.lookup("tracker");
  REQUIRE(first);
  fx.self->send_exit(first, caf::make_error(caf::sec::runtime_error, "boom"));
  fx.run();
  auto st = fx.status();
  CHECK(fx.component(st, "tracker").state == component_state::restarting);
  CHECK(fx.component(st, "tracker").last_error.find("boom")
        != std::string::npos);
  fx.advance(100ms);
  auto second = fx.lookup("tracker");
  REQUIRE(second);
  CHECK(second != first);
  st = fx.status();
  CHECK(fx.component(st, "tracker").state == component_state::running);
  CHECK(fx.component(st, "tracker").restarts == 1);
  // The restarted tracker is wired to storage and the dispatcher again.
  tracking_batch batch;
  batch.regimes.push_back(test::sample_regime_recorded());
  fx.self->send(fx.find(tracker_key), batch);
  fx.self->send(fx.sup, atom::flush_v, message_header{});
  fx.run();
  bool replied = false;
  fx.self->receive(
    [&](flush_ack&) {
      replied = true;
    },
    [&](caf::error& err) {
      // The crash happened since the last flush: the flush
      // says events may be lost, and names the component.
      replied = true;
      CHECK(err == ec::component_down);
      CHECK(fx.sys.render(err).find("tracker") != std::string::npos);
    },
    caf::after(0s) >> [] {});
  CHECK(replied);
  CHECK(fx.rows("regime_tracking") == 1);
}

TEST_CASE("while a crashed component waits for its restart its events are "
          "counted as unrouted, and its replacement gets the next ones") {
  supervised fx;
  fx.ingress->dispatcher = fx.dispatcher;
  fx.ingress->accepting = true;
  runtime::client client{fx.ingress};
  fx.self->send_exit(fx.lookup("tracker"), caf::exit_reason::kill);
  fx.run();
  CHECK(client.record_regime_tracking(test::sample_regime_recorded()));
  fx.run();
  CHECK(client.counters().unrouted == 1);
  CHECK(client.counters().failed_delivery == 0);
  fx.advance(100ms);
  REQUIRE(fx.lookup("tracker"));
  CHECK(client.record_regime_tracking(test::sample_regime_recorded()));
  fx.run();
  CHECK(client.counters().dispatched == 1);
  CHECK(client.counters().unrouted == 1);
}

TEST_CASE("supervisor gives a component up once its restart budget is "
          "spent") {
  supervised fx{2};
  for (int i = 0; i < 3; ++i) {
    auto t = fx.lookup("tracker");
    REQUIRE(t);
    fx.self->send_exit(t, caf::exit_reason::kill);
    fx.run();
    fx.advance(1s);
  }
  auto st = fx.status();
  CHECK(fx.component(st, "tracker").state == component_state::failed);
  CHECK(fx.component(st, "tracker").restarts == 2);
  CHECK(!fx.lookup("tracker"));
  // The rest of the engine keeps running.
  CHECK(fx.component(st, "storage_writer").state == component_state::running);
}

TEST_CASE("supervisor stop flushes every component, then stops them in "
          "reverse order") {
  supervised fx;
  auto tracker = fx.find(tracker_key);
  auto storage = fx.lookup("storage_writer");
  tracking_batch batch;
  for (int i = 0; i < 5; ++i)
    batch.ensembles.push_back(test::sample_ensemble_recorded());
  batch.regimes.push_back(test::sample_regime_recorded());
  fx.self->send(tracker, batch);
  fx.self->monitor(storage);
  fx.self->monitor(fx.sup);
  fx.self->send(fx.sup, atom::stop_v, message_header{});
  fx.run();
  bool acked = false;
  fx.self->receive(
    [&](flush_ack& ack) {
      acked = true;
      CHECK(ack.committed_rows == 6);
    },
    caf::after(0s) >> [] {});
  CHECK(acked);
  CHECK(fx.rows("ensemble_tracking") == 5);
  CHECK(fx.rows("regime_tracking") == 1);
  // Storage and the supervisor are gone.
  int downs = 0;
  for (int i = 0; i < 2; ++i)
    fx.self->receive(
      [&](caf::down_msg&) {
        ++downs;
      },
      caf::after(0s) >> [] {});
  CHECK(downs == 2);
  fx.sup = nullptr;
}

TEST_CASE("a crash of the storage writer stops the engine cleanly") {
  supervised fx;
  auto tracker = fx.find(tracker_key);
  tracking_batch batch;
  batch.regimes.push_back(test::sample_regime_recorded());
  fx.self->send(tracker, batch);
  fx.self->send(fx.sup, atom::flush_v, message_header{});
  fx.run();
  fx.self->receive([](flush_ack&) {}, caf::after(0s) >>
                                        [] {
                                          FAIL("");
                                        });
  fx.self->monitor(fx.sup);
  fx.self->send_exit(fx.lookup("storage_writer"), caf::exit_reason::kill);
  fx.run();
  caf::error reason;
  fx.self->receive(
    [&](caf::down_msg& dm) {
      reason = dm.reason;
    },
    caf::after(0s) >>
      [] {
        FAIL("supervisor still runs");
      });
  CHECK(reason == ec::component_down);
  CHECK(fx.sys.render(reason).find("storage_writer") != std::string::npos);
  CHECK(fx.rows("regime_tracking") == 1);
  SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READONLY};
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
  fx.sup = nullptr;
}

TEST_CASE("a disabled engine spawns no components") {
  test::deterministic_fixture fx;
  config::engine_config cfg;
  cfg.enabled = false;
  auto plan = builtin_components({}).plan(cfg);
  REQUIRE(plan);
  CHECK(plan->empty());
  auto sup
    = fx.sys.spawn(supervisor, cfg, dispatcher_actor{}, *plan, quiet_loggers());
  fx.run();
  fx.self->send(sup, atom::status_v, message_header{});
  fx.run();
  fx.self->receive(
    [&](integration_status& st) {
      CHECK(st.components.empty());
    },
    caf::after(0s) >>
      [] {
        FAIL("no status");
      });
  fx.self->send_exit(sup, caf::exit_reason::kill);
  fx.run();
}

TEST_CASE("a listener subscribed through the supervisor hears a component's "
          "replacement too, and an unknown component is refused") {
  supervised fx;
  auto listener = caf::actor_cast<caf::actor>(fx.self);
  bool known = false;
  fx.self->send(fx.sup, atom::subscribe_v, std::string{"tracker"}, listener);
  fx.run();
  fx.self->receive(
    [&](bool x) {
      known = x;
    },
    caf::after(0s) >> [] {});
  CHECK(known);
  fx.self->send(fx.sup, atom::subscribe_v, std::string{"no_such"}, listener);
  fx.run();
  known = true;
  fx.self->receive(
    [&](bool x) {
      known = x;
    },
    caf::after(0s) >> [] {});
  CHECK_FALSE(known);
  // Two regimes in a row make a transition, pushed to the subscribers.
  auto change_regime = [&](int64_t at_ns) {
    tracking_batch batch;
    auto bull = test::sample_regime_recorded();
    bull.time_ns = at_ns;
    auto bear = bull;
    bear.regime_type = "BEAR_TREND";
    bear.time_ns = at_ns + 1'000'000'000;
    batch.regimes = {bull, bear};
    fx.self->send(fx.find(tracker_key), batch);
    fx.run();
    std::vector<regime_changed> heard;
    bool more = true;
    while (more)
      fx.self->receive(
        [&](regime_changed& x) {
          heard.push_back(std::move(x));
        },
        [&](uint64_t) {}, // the batch's reply
        caf::after(0s) >>
          [&] {
            more = false;
          });
    return heard;
  };
  auto before = change_regime(1'700'000'000'000'000'000);
  REQUIRE(before.size() == 1);
  CHECK(before[0].to == "BEAR_TREND");
  fx.self->send_exit(fx.lookup("tracker"), caf::exit_reason::kill);
  fx.run();
  fx.advance(100ms);
  REQUIRE(fx.lookup("tracker"));
  auto after = change_regime(1'700'000'100'000'000'000);
  REQUIRE(after.size() == 1);
  CHECK(after[0].from == "BULL_TREND");
  CHECK(after[0].to == "BEAR_TREND");
}
