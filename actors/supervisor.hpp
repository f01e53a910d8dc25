#pragma once

#include "actors/metrics_dashboard.hpp"
#include "actors/ml_monitor.hpp"
#include "actors/supervisor_policy.hpp"
#include "actors/tracer_buffers.hpp"
#include "config/components.hpp"
#include "messages/interfaces.hpp"
#include "storage/storage_writer.hpp"

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace argus {

/// Makes the named logger of a component.
using logger_factory
  = std::function<std::shared_ptr<spdlog::logger>(const std::string& id)>;

/// @returns the storage writer's settings for `cfg`.
storage::storage_writer_config
make_storage_writer_config(const config::storage_config& cfg);

/// What the supervisor knows about one component.
struct component_entry {
  std::string id;
  /// A core component's crash stops the engine (the storage writer).
  bool core = false;
  caf::strong_actor_ptr handle;
  component_state state = component_state::starting;
  int64_t started_at_ns = 0;
  uint32_t restarts = 0;
  std::string last_error;
  restart_policy policy;
  /// Bumped on every (re)spawn; a stale restart timer is ignored.
  uint64_t generation = 0;

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

  config::engine_config cfg;
  logger_factory loggers;
  std::shared_ptr<spdlog::logger> log;
  dispatcher_actor dispatcher;
  /// Where the bot's threads put spans; the tracer drains them.
  std::shared_ptr<span_buffers> spans;
  /// What the metrics dashboard reads (no registry: no dashboard).
  metrics_dashboard_sources metrics;
  /// In dependency order: storage first.
  std::vector<component_entry> components;
  storage_writer_actor storage;
  correlation_manager_actor correlations;
  tracer_actor tracer;
  tracker_actor tracker;
  metrics_dashboard_actor dashboard;
  ml_monitor_actor ml;
  /// The running components, shared with the functor that stops them when
  /// the supervisor terminates.
  std::shared_ptr<std::set<caf::actor>> live_children
    = std::make_shared<std::set<caf::actor>>();
  bool stopping = false;
  /// The dashboard was asked for its final flush.
  bool stopping_dashboard = false;
  /// Crashes since the last flush: a flush after a crash cannot promise that
  /// everything before it is durable, so it says so.
  std::vector<std::string> crashed_since_flush;
};

/// Spawns the enabled components in dependency order, monitors them,
/// restarts crashed ones within their budget, and flushes and stops them in
/// reverse order.
supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           config::engine_config cfg, dispatcher_actor dispatcher,
           std::shared_ptr<span_buffers> spans,
           metrics_dashboard_sources metrics, logger_factory loggers);

} // namespace argus
