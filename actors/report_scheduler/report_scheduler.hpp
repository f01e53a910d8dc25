#pragma once

// The report scheduler component (spec: Report Scheduler): runs each
// report on its schedule, and on demand, each run on a worker thread of
// its own (render, write, e-mail with retries), so that neither rendering
// nor a slow SMTP server delays any other component. Every finished run is
// a `report_history` row.

#include "actors/report_scheduler/plan.hpp"
#include "actors/report_scheduler/runner.hpp"
#include "config/components.hpp"
#include "messages/interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/logger.h>

#include <deque>
#include <map>
#include <memory>
#include <string>

namespace argus {

struct report_scheduler_state {
  static inline const char* name = "report_scheduler";

  config::report_scheduler_config cfg;
  report_scheduler::run_settings settings;
  report_scheduler::report_plan plan;
  storage_writer_actor storage;
  supervisor_actor supervisor;
  std::shared_ptr<spdlog::logger> log;
  /// The tick in flight (older ones are ignored).
  uint64_t generation = 0;
  uint64_t sequence = 0;
  /// Runs rendering or delivering now, by run id.
  std::map<std::string, report_generated> running;
  std::map<std::string, caf::actor> workers;
  /// Requests waiting for their run's render.
  std::map<std::string, caf::typed_response_promise<report_generated>>
    waiting;
  /// The latest finished runs (newest last), for the status and the API.
  std::deque<report_generated> recent;
  int64_t started_at_ns = 0;
  uint64_t runs_started = 0;
  uint64_t runs_sent = 0;
  uint64_t runs_generated = 0;
  uint64_t runs_failed = 0;
  uint64_t runs_missed = 0;
  uint64_t files_pruned = 0;

  component_status status(const message_header& hdr) const;
};

using report_scheduler_pointer
  = report_scheduler_actor::stateful_pointer<report_scheduler_state>;

/// Spawns the scheduler; `database_path` is the SQLite file reports read.
report_scheduler_actor::behavior_type
report_scheduler_component(report_scheduler_pointer self,
                           config::engine_config cfg,
                           storage_writer_actor storage,
                           std::shared_ptr<spdlog::logger> log);

} // namespace argus
