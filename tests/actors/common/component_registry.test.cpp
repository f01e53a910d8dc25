#include "actors/common/component_registry.hpp"

#include "messages/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace argus;

namespace {

/// A registration whose component is never spawned: these tests only plan.
component_builder<tracker_actor> planned(std::string_view id) {
  return component(component_key<tracker_actor>{id},
                   [](const component_context&) -> tracker_actor {
                     FAIL("not spawned in this test");
                     return {};
                   });
}

std::vector<std::string> ids(const component_plan& plan) {
  std::vector<std::string> result;
  for (const auto& s : plan)
    result.push_back(s.id);
  return result;
}

constexpr component_key<tracker_actor> a{"a"};
constexpr component_key<tracker_actor> b{"b"};
constexpr component_key<tracker_actor> c{"c"};

std::string render(const caf::error& err) {
  return to_string(err);
}

} // namespace

TEST_CASE("the plan puts dependencies first, otherwise registration order") {
  component_registry reg;
  REQUIRE(!reg.add(planned("c").depends_on(b)));
  REQUIRE(!reg.add(planned("b").depends_on(a)));
  REQUIRE(!reg.add(planned("d")));
  REQUIRE(!reg.add(planned("a")));
  auto plan = reg.plan(config::engine_config{});
  REQUIRE(plan);
  CHECK(ids(*plan) == std::vector<std::string>{"d", "a", "b", "c"});
}

TEST_CASE("a component the config disables is left out, and its dependents "
          "run without it") {
  component_registry reg;
  REQUIRE(!reg.add(planned("a")));
  REQUIRE(!reg.add(
    planned("b").depends_on(a).enabled_if([](const config::engine_config& cfg) {
      return cfg.ml_monitor.feature_importance_tracking;
    })));
  REQUIRE(!reg.add(planned("c").depends_on(b)));
  config::engine_config cfg;
  cfg.ml_monitor.feature_importance_tracking = false;
  auto plan = reg.plan(cfg);
  REQUIRE(plan);
  CHECK(ids(*plan) == std::vector<std::string>{"a", "c"});
  // With monitoring off, nothing runs.
  cfg.enabled = false;
  plan = reg.plan(cfg);
  REQUIRE(plan);
  CHECK(plan->empty());
}

TEST_CASE("the registry refuses a duplicate id, an unknown dependency, a "
          "cycle and an event taken twice") {
  component_registry reg;
  REQUIRE(!reg.add(planned("a")));
  auto dup = reg.add(planned("a"));
  CHECK(dup == ec::invalid_argument);
  CHECK(render(dup).find("registered twice") != std::string::npos);

  component_registry unknown;
  REQUIRE(!unknown.add(planned("b").depends_on(c)));
  auto plan = unknown.plan(config::engine_config{});
  REQUIRE(!plan);
  CHECK(render(plan.error()).find("b depends on c") != std::string::npos);

  component_registry cycle;
  REQUIRE(!cycle.add(planned("a").depends_on(b)));
  REQUIRE(!cycle.add(planned("b").depends_on(a)));
  REQUIRE(!cycle.add(planned("c")));
  plan = cycle.plan(config::engine_config{});
  REQUIRE(!plan);
  CHECK(render(plan.error()).find("cycle: a, b") != std::string::npos);

  component_registry twice;
  auto sort = [](tracking_batch& x, regime_recorded& e) {
    x.regimes.push_back(e);
  };
  REQUIRE(!twice.add(planned("a").routes<tracking_batch>(
    event_types<regime_recorded>{}, event_types<>{}, sort)));
  REQUIRE(!twice.add(planned("b").routes<tracking_batch>(
    event_types<regime_recorded>{}, event_types<>{}, sort)));
  plan = twice.plan(config::engine_config{});
  REQUIRE(!plan);
  CHECK(render(plan.error()).find("a and b both take regime_recorded")
        != std::string::npos);
}

TEST_CASE("a route files what it takes and what it looks at into one batch") {
  component_spec spec = planned("a").routes<tracking_batch>(
    event_types<regime_recorded>{}, event_types<label_observed>{},
    [](tracking_batch& x, auto& e) {
      if constexpr (std::is_same_v<std::decay_t<decltype(e)>, regime_recorded>)
        x.regimes.push_back(std::move(e));
      else
        x.outcomes.emplace_back();
    });
  auto route = spec.route();
  CHECK(route->takes()
        == std::vector<size_t>{inbound_event{regime_recorded{}}.index()});
  CHECK(route->peeks()
        == std::vector<size_t>{inbound_event{label_observed{}}.index()});
  CHECK(route->empty());
  inbound_event label{label_observed{}};
  route->peek(label);
  CHECK(!route->empty());
}
