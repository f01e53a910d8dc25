#pragma once

// A deterministic actor system for doctest: CAF's test coordinator runs
// messages and timers only when told to, so tests step through actors in
// virtual time without sleeping.

#include "runtime/system.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

namespace argus::test {

struct deterministic_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  caf::scheduler::test_coordinator& sched;

  static caf::actor_system_config& prepare(caf::actor_system_config& c) {
    c.set("scheduler.policy", caf::atom("testing"));
    runtime::register_types(c);
    return c;
  }

  deterministic_fixture()
      : sys(prepare(cfg)),
        self(sys, true),
        sched(
          dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
  }

  /// Runs every queued message (not timers).
  void run() {
    sched.run();
  }

  /// Advances virtual time by `d` and runs what became due.
  template <class Duration>
  void advance(Duration d) {
    sched.advance_time(std::chrono::duration_cast<caf::timespan>(d));
    sched.run();
  }
};

} // namespace argus::test
