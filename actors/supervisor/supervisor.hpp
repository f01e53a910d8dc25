#pragma once

#include "actors/common/component_registry.hpp"
#include "actors/supervisor/restart_policy.hpp"
#include "config/components.hpp"
#include "messages/interfaces.hpp"

#include <spdlog/logger.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace argus {

/// What the supervisor knows about one component.
struct component_entry {
  component_spec spec;
  spawned_component handles;
  component_state state = component_state::starting;
  int64_t started_at_ns = 0;
  uint32_t restarts = 0;
  std::string last_error;
  restart_policy policy;
  /// Bumped on every (re)spawn; a stale restart timer is ignored.
  uint64_t generation = 0;
  /// Actors subscribed to its pushed events, subscribed again to every
  /// replacement.
  std::vector<caf::actor> subscribers;

  const std::string& id() const noexcept {
    return spec.id;
  }

  /// @returns what the supervisor itself knows, without asking the actor.
  component_status status(const message_header& hdr) const;
};

/// State of the SUPERVISOR (spec: Integration Manager).
struct supervisor_state {
  static inline const char* name = "supervisor";

  /// @returns the entry whose actor has `addr`, or nullptr.
  component_entry* find(const caf::actor_addr& addr);

  /// @returns the entry with `id`, or nullptr.
  component_entry* find(const std::string& id);

  /// @returns the entries that depend on `id`.
  std::vector<component_entry*> dependents(const std::string& id);

  config::engine_config cfg;
  logger_factory loggers;
  std::shared_ptr<spdlog::logger> log;
  dispatcher_actor dispatcher;
  /// In dependency order: storage first.
  std::vector<component_entry> components;
  /// The running components, and the supervisor itself.
  component_directory directory;
  /// The running components, shared with the functor that stops them when
  /// the supervisor terminates.
  std::shared_ptr<std::set<caf::actor>> live_children
    = std::make_shared<std::set<caf::actor>>();
  bool stopping = false;
  /// The components with work to finish before the final flush were asked.
  bool final_stops_done = false;
  /// Crashes since the last flush: a flush after a crash cannot promise that
  /// everything before it is durable, so it says so.
  std::vector<std::string> crashed_since_flush;
};

/// Spawns the components of `plan` in its (dependency) order, monitors them,
/// restarts crashed ones within their budget, and flushes and stops them in
/// reverse order. Whenever one starts or stops, the dispatcher and the
/// components that depend on it get the new directory.
supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           config::engine_config cfg, dispatcher_actor dispatcher,
           component_plan plan, logger_factory loggers);

} // namespace argus
