#pragma once

// One report run, start to end, on the thread of the worker that makes it:
// read the database (read-only), build the document, render the format,
// write the file, and the e-mail that carries it. Blocking by design: the
// scheduler gives every run a thread of its own.

#include "actors/report_scheduler/mail.hpp"
#include "actors/report_scheduler/plan.hpp"
#include "actors/report_scheduler/reports.hpp"
#include "config/components.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace argus::report_scheduler {

struct run_job {
  /// The report entry, or empty for one asked on demand.
  std::string name;
  std::string type;
  config::report_format format = config::report_format::pdf;
  std::vector<std::string> recipients;
  bool send = false;
  /// `hourly`, `daily`, `weekly`, `monthly`, `cron` or `on_demand`.
  std::string schedule_type = "on_demand";
  report_period period;
  /// Distinguishes files and message ids of runs in the same second.
  uint64_t sequence = 0;
};

struct run_settings {
  /// The SQLite file; empty: an in-memory engine (reports are empty).
  std::string database_path;
  std::string output_directory;
  trading_options trading;
  config::email_config email;
  size_t max_files = 1000;
  std::chrono::milliseconds file_retention{std::chrono::hours{24 * 90}};
  std::chrono::milliseconds retry_initial{std::chrono::seconds{30}};
  std::chrono::milliseconds retry_max_age{std::chrono::hours{1}};
};

struct rendered_report {
  document doc;
  std::string path;
  std::string bytes;
};

/// Reads, builds and renders `job`'s report; writes no file.
caf::expected<rendered_report>
make_report(const run_job& job, const run_settings& settings,
            const std::optional<integration_status>& status, int64_t now_ns);

/// The file name of a run: `risk_assessment-20261201T060000Z-7.pdf`.
std::string report_file_name(const run_job& job, int64_t now_ns);

/// Reads, builds, renders and writes `job`'s report into the output
/// directory (atomically: no reader sees half a file).
caf::expected<rendered_report>
render_report(const run_job& job, const run_settings& settings,
              const std::optional<integration_status>& status, int64_t now_ns);

/// The plan as the database leaves it: `plan` loaded from the config gets
/// the custom reports stored in `report_configs` (those that no longer
/// load are named in `skipped`) and starts at `now` from each report's
/// latest stored scheduled run. @returns the runs missed while argusd was
/// down that are due at once (see `report_plan::start`).
std::vector<due_run> restore_plan(report_plan& plan,
                                  const config::report_scheduler_config& cfg,
                                  storage::db_reader* reader, sys_seconds now,
                                  std::vector<std::string>& skipped);

/// The e-mail of a rendered report: the HTML body (charts as cid: parts)
/// and the file attached.
mail_message make_mail(const run_job& job, const rendered_report& r,
                       const config::email_config& email, int64_t now_ns);

/// Where report files go: `dir` as configured, relative to the
/// database's folder.
std::string output_directory(const std::string& configured,
                             const std::string& database_path);

/// Removes the oldest report files in `dir` beyond `max_files` and those
/// older than `max_age`. @returns the number removed.
size_t prune_report_files(const std::string& dir, size_t max_files,
                          std::chrono::milliseconds max_age, int64_t now_ns);

} // namespace argus::report_scheduler
