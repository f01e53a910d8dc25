#include "actors/registry.hpp"

#include "messages/error.hpp"
#include "runtime/engine.hpp"

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <doctest/doctest.h>

#include <mutex>

#include "tests/messages/samples.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/eventually.hpp"

using namespace argus;
using namespace std::chrono_literals;

TEST_CASE("the built-in components come up storage first, the correlation "
          "manager before the tracer, the tracker before the ML monitor") {
  engine_resources resources;
  resources.spans = std::make_shared<span_buffers>(64);
  resources.metrics.registry = std::make_shared<metrics_registry>();
  auto plan = builtin_components(resources).plan(config::engine_config{});
  REQUIRE(plan);
  std::vector<std::string> ids;
  for (const auto& s : *plan)
    ids.push_back(s.id);
  CHECK(ids
        == std::vector<std::string>{"storage_writer", "correlation_manager",
                                    "tracer", "tracker", "ml_monitor",
                                    "metrics_dashboard", "report_scheduler"});
  CHECK((*plan)[0].core);
  // Without span buffers there is no tracer, without a registry no
  // dashboard.
  plan = builtin_components({}).plan(config::engine_config{});
  REQUIRE(plan);
  CHECK(plan->size() == 5);
}

// -- a component that exists only in this file --------------------------------

namespace {

/// The PROBE actor interface: takes regime events, like the tracker would.
using probe_actor
  = caf::typed_actor<caf::replies_to<tracking_batch>::with<uint64_t>>::
    extend_with<routable_actor>::extend_with<stoppable_actor>::extend_with<
      flushable_actor>::extend_with<status_client_actor>;

constexpr component_key<probe_actor> probe_key{"probe"};

/// What every probe instance saw, shared with the test.
struct probe_log {
  std::mutex mtx;
  std::vector<caf::actor> instances;
  /// Correlation ids of the regimes each instance took.
  std::vector<std::vector<std::string>> taken;
  /// What the final stop found: storage still there to commit.
  std::string stop;

  void lock_and(std::function<void()> f) {
    std::lock_guard<std::mutex> guard{mtx};
    f();
  }
};

struct probe_state {
  static inline const char* name = "probe";
  std::shared_ptr<probe_log> log;
  size_t instance = 0;
  storage_writer_actor storage;
};

probe_actor::behavior_type
probe(probe_actor::stateful_pointer<probe_state> self,
      std::shared_ptr<probe_log> log, storage_writer_actor storage) {
  auto& st = self->state;
  st.log = log;
  st.storage = std::move(storage);
  log->lock_and([&] {
    st.instance = log->instances.size();
    log->instances.push_back(caf::actor_cast<caf::actor>(self));
    log->taken.emplace_back();
  });
  return {
    [=](tracking_batch& b) -> uint64_t {
      auto& st = self->state;
      st.log->lock_and([&] {
        for (const auto& r : b.regimes)
          st.log->taken[st.instance].push_back(r.hdr.corr.str());
      });
      return b.size();
    },
    [=](atom::route, const component_directory& directory) {
      self->state.storage = directory.get(storage_writer_key);
    },
    [=](atom::stop, const message_header& hdr) -> caf::result<flush_ack> {
      // Asked before storage stops: its commit must still answer.
      auto rp = self->make_response_promise<flush_ack>();
      self->request(self->state.storage, 10s, atom::flush_v, hdr)
        .then(
          [=](flush_ack& ack) mutable {
            self->state.log->lock_and([&] {
              self->state.log->stop = "storage committed";
            });
            rp.deliver(ack);
          },
          [=](caf::error& err) mutable {
            self->state.log->lock_and([&] {
              self->state.log->stop = "storage gone";
            });
            rp.deliver(err);
          });
      return rp;
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      return self->delegate(self->state.storage, atom::flush_v, hdr);
    },
    [=](atom::status, const message_header& hdr) {
      return make_status(hdr, probe_state::name, component_state::running, 0,
                         {});
    },
  };
}

component_spec probe_component(std::shared_ptr<probe_log> log) {
  return component(probe_key,
                   [log](const component_context& ctx) {
                     return ctx.spawn(probe, log,
                                      ctx.directory.get(storage_writer_key));
                   })
    .depends_on(storage_writer_key)
    .routes<tracking_batch>(event_types<regime_recorded>{}, event_types<>{},
                            [](tracking_batch& b, regime_recorded& e) {
                              b.regimes.push_back(std::move(e));
                            });
}

regime_recorded regime(const char* id) {
  auto r = test::sample_regime_recorded();
  r.hdr.corr = *correlation_id::parse(id);
  return r;
}

const component_status* find(const integration_status& st,
                             const std::string& id) {
  for (const auto& c : st.components)
    if (c.id == id)
      return &c;
  return nullptr;
}

} // namespace

TEST_CASE("a component registered from outside the engine is spawned after "
          "its dependency, routed to, restarted after a crash and stopped "
          "before storage") {
  test::engine_fixture fx;
  // The probe takes the regimes, so the tracker must not run.
  fx.cfg.tracking_system.enable_correlation_tracking = false;
  fx.cfg.tracking_system.enable_ensemble_tracking = false;
  fx.cfg.tracking_system.enable_regime_tracking = false;
  fx.cfg.tracking_system.enable_decision_path_tracking = false;
  fx.cfg.monitoring_integration.restart_backoff_initial = 50ms;
  auto log = std::make_shared<probe_log>();
  auto opts = fx.options();
  opts.components.push_back(probe_component(log));
  engine eng{fx.cfg, opts};
  REQUIRE(!eng.start());

  // Spawned, and after storage.
  auto st = eng.status();
  REQUIRE(st);
  std::vector<std::string> order;
  for (const auto& c : st->components)
    order.push_back(c.id);
  CHECK(std::find(order.begin(), order.end(), "tracker") == order.end());
  auto at = [&](const char* id) {
    return std::find(order.begin(), order.end(), id) - order.begin();
  };
  REQUIRE(at("probe") < static_cast<long>(order.size()));
  CHECK(at("storage_writer") < at("probe"));
  CHECK(find(*st, "probe")->state == component_state::running);

  // Routed to.
  CHECK(eng.client().record_regime_tracking(regime("first")));
  CHECK(eng.client().record_regime_tracking(regime("second")));
  REQUIRE(eng.flush());
  log->lock_and([&] {
    REQUIRE(log->taken.size() == 1);
    CHECK(log->taken[0] == std::vector<std::string>{"first", "second"});
  });

  // Restarted after a crash, and routed to again.
  caf::actor first;
  log->lock_and([&] {
    first = log->instances.at(0);
  });
  caf::anon_send_exit(first, caf::exit_reason::kill);
  REQUIRE(test::eventually([&] {
    auto s = eng.status();
    auto p = s ? find(*s, "probe") : nullptr;
    return p && p->state == component_state::running && p->restarts == 1;
  }));
  // The flush after the crash says events may have been lost, naming it.
  auto after_crash = eng.flush();
  REQUIRE(!after_crash);
  CHECK(eng.system().render(after_crash.error()).find("probe")
        != std::string::npos);
  CHECK(eng.client().record_regime_tracking(regime("third")));
  REQUIRE(eng.flush());
  log->lock_and([&] {
    REQUIRE(log->taken.size() == 2);
    CHECK(log->taken[1] == std::vector<std::string>{"third"});
  });

  // Stopped in reverse order: asked to finish while storage still commits.
  CHECK(!eng.stop());
  log->lock_and([&] {
    CHECK(log->stop == "storage committed");
  });
}

TEST_CASE("an engine refuses to start with two components taking one event") {
  test::engine_fixture fx;
  auto opts = fx.options();
  // The tracker runs by default and takes regimes too.
  opts.components.push_back(probe_component(std::make_shared<probe_log>()));
  engine eng{fx.cfg, opts};
  auto err = eng.start();
  REQUIRE(err);
  CHECK(err == ec::invalid_config);
  CHECK(to_string(err).find("tracker and probe both take regime_recorded")
        != std::string::npos);
}
