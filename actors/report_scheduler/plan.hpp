#pragma once

// Which reports exist, when each runs next and over which period: the
// scheduler actor's pure state, tested without an actor system.
//
// A scheduled run at t covers the period that ends at t: the last hour,
// day or week; the last calendar month in the report's zone; for cron, the
// gap to the run after t (a schedule's own rhythm). The next run is kept in
// UTC and recomputed from the schedule after each run, so DST and a zone's
// rule changes apply as they come.

#include "actors/report_scheduler/schedule.hpp"
#include "config/components.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace argus::report_scheduler {

struct planned_report {
  std::string name;
  config::report_definition definition;
  schedule when;
  /// The next run (UTC); unset while disabled.
  std::optional<sys_seconds> next;
  /// Added at run time (persisted in `report_configs`).
  bool custom = false;
};

/// A run that is due.
struct due_run {
  std::string name;
  sys_seconds at;
};

class report_plan {
public:
  /// Reads the configured reports; `error` names the first bad one (the
  /// config loader checks them all before).
  bool load(const config::report_scheduler_config& cfg, std::string& error);

  /// Adds or replaces report `name` (checked like a configured one).
  /// @returns false with `error` set if the definition is wrong.
  bool put(const std::string& name, config::report_definition def,
           sys_seconds now, bool custom, std::string& error);

  /// Plans the first runs as the scheduler starts: `last_runs` holds the
  /// latest scheduled run of each report before now (from report_history).
  /// @returns the runs to make at once (missed while down, within grace).
  std::vector<due_run>
  start(sys_seconds now, const std::map<std::string, sys_seconds>& last_runs,
        std::chrono::seconds grace);

  /// @returns the runs due at `now` and moves each to its next run.
  std::vector<due_run> take_due(sys_seconds now);

  /// @returns the earliest next run, if any.
  std::optional<sys_seconds> earliest() const;

  const planned_report* find(const std::string& name) const;

  const std::map<std::string, planned_report>& reports() const noexcept {
    return reports_;
  }

  /// Every report with its schedule and next run (UTC and local).
  nlohmann::json to_json() const;

private:
  std::map<std::string, planned_report> reports_;
  bool automated_ = true;
  /// The zone of reports that name none.
  std::string default_zone_ = "UTC";
};

/// The period [from, to) a scheduled run at `at` covers (see above).
std::pair<sys_seconds, sys_seconds> period_of(const schedule& s,
                                              sys_seconds at);

/// The definition as JSON (what `report_configs` stores and the API
/// takes), and back; `error` names a bad or unknown field.
nlohmann::json to_json(const config::report_definition& d);
std::optional<config::report_definition>
definition_from_json(const nlohmann::json& j,
                     const config::report_definition& defaults,
                     std::string& error);

/// What a definition given at run time (API, `report_configs`) takes from
/// the section when it does not say: schedule, recipients and zone.
config::report_definition
definition_defaults(const config::report_scheduler_config& cfg);

/// @returns the report type of entry `name`.
inline const std::string& type_of(const std::string& name,
                                  const config::report_definition& d) {
  return d.type.empty() ? name : d.type;
}

} // namespace argus::report_scheduler
