#include "config/components.hpp"

#include "config/fields.hpp"
#include "config/load.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <set>

#include <nlohmann/json.hpp>

using namespace argus;
using namespace argus::config;
using namespace std::chrono_literals;

namespace {

bool has_issue(const std::vector<config_issue>& issues, const std::string& path,
               const std::string& words) {
  for (const auto& i : issues)
    if (i.path == path && i.message.find(words) != std::string::npos)
      return true;
  return false;
}

/// A config that differs from the defaults in every section.
engine_config unusual() {
  engine_config c;
  c.metrics_dashboard.update_interval = 250ms;
  c.metrics_dashboard.aggregation_windows = {{"30s", 30s}, {"2h", 7200s}};
  c.advanced_tracer.trace_sampling_rate = 0.25;
  c.advanced_tracer.component_types = {component_type::exchange};
  c.correlation_manager.correlation_timeout = 90s;
  c.ml_monitor.feature_methods = {{"spread", "psi"}};
  c.ml_monitor.drift_detection_methods = {drift_method::feature_drift};
  c.ml_monitor.auto_retraining_triggers.consecutive_failures = 9;
  c.report_scheduler.reports = {{"nightly",
                                 {"risk_assessment",
                                  "hourly",
                                  "00:15",
                                  "friday",
                                  1,
                                  "Europe/Berlin",
                                  report_format::json,
                                  {"ops@example.com"},
                                  false}}};
  c.report_scheduler.email.smtp_port = 2525;
  c.tracking_system.regime_tracking.track_regime_features = false;
  c.monitoring_integration.max_restarts = 2;
  c.storage.path = "/tmp/x.db";
  c.storage.synchronous = sync_mode::full;
  c.storage.retention = {{"spans", std::chrono::seconds{86400}}};
  c.runtime.log_level = "debug";
  return c;
}

/// Collects every key path a field table names.
struct key_paths {
  std::set<std::string>& out;
  std::string prefix;

  template <class T, class... Rules>
  void operator()(const char* key, const T&, const Rules&...) {
    out.insert(prefix + key);
  }

  template <class T>
  void section(const char* key, const T& nested) {
    out.insert(prefix + key);
    key_paths inner{out, prefix + key + "."};
    fields(inner, nested);
  }
};

void json_paths(const nlohmann::json& j, const std::string& prefix,
                std::set<std::string>& out, int depth) {
  for (const auto& [k, v] : j.items()) {
    out.insert(prefix + k);
    // Sections nest; maps of user-chosen names (windows, reports) do not
    // belong to the table.
    if (v.is_object() && depth < 2 && k != "aggregation_windows"
        && k != "reports" && k != "retention" && k != "feature_methods")
      json_paths(v, prefix + k + ".", out, depth + 1);
  }
}

} // namespace

TEST_CASE("validate holds a config built in C++ to the loader's rules: an "
          "unknown feature test, an unknown retention table") {
  auto c = engine_config{};
  c.ml_monitor.feature_methods = {{"spread", "magic"}};
  c.storage.retention = {{"no_such_table", std::chrono::seconds{60}},
                         {"spans", std::chrono::seconds{0}}};
  auto issues = validate(c);
  CHECK(has_issue(issues, "monitoring.ml_monitor.feature_methods.spread",
                  "unknown method 'magic'"));
  CHECK(has_issue(issues, "monitoring.storage.retention.no_such_table",
                  "unknown table"));
  CHECK(has_issue(issues, "monitoring.storage.retention.spans",
                  "must be a positive duration"));
  CHECK(validate(engine_config{}).empty());
}

TEST_CASE("validate checks every section's values and its rules across "
          "fields") {
  auto c = engine_config{};
  c.advanced_tracer.correlation_id_header = "X Bad";
  c.ml_monitor.ddm_warning = 3;
  c.ml_monitor.ddm_drift = 2;
  c.report_scheduler.email.smtp_port = 0;
  c.report_scheduler.reports["custom"].recipients = {"not-an-address"};
  c.monitoring_integration.restart_backoff_max = 1ms;
  c.metrics_dashboard.aggregation_windows = {{"1m", 60s}, {"1m", 60s}};
  c.runtime.threads = 1000;
  c.runtime.door_queue_percent = 101;
  c.tracking_system.ensemble_update_interval = 0ms;
  c.gateway.io_threads = 0;
  c.gateway.workers = 65;
  auto issues = validate(c);
  CHECK(has_issue(issues, "monitoring.advanced_tracer.correlation_id_header",
                  "not a valid HTTP header name"));
  CHECK(has_issue(issues, "monitoring.ml_monitor.ddm_drift",
                  "must be above ddm_warning"));
  CHECK(has_issue(issues, "monitoring.report_scheduler.email.smtp_port",
                  "must be within [1, 65535], got 0"));
  CHECK(has_issue(issues,
                  "monitoring.report_scheduler.reports.custom.recipients[0]",
                  "is not an e-mail address"));
  CHECK(has_issue(issues,
                  "monitoring.monitoring_integration.restart_backoff_max",
                  "must not be below restart_backoff_initial"));
  CHECK(has_issue(issues, "monitoring.metrics_dashboard.aggregation_windows.1m",
                  "is defined twice"));
  CHECK(has_issue(issues, "monitoring.runtime.threads",
                  "must be within [0, 256], got 1000"));
  CHECK(has_issue(issues, "monitoring.runtime.door_queue_percent", "101"));
  CHECK(has_issue(issues, "monitoring.tracking_system.ensemble_update_interval",
                  "must be a positive duration"));
  CHECK(has_issue(issues, "monitoring.gateway.io_threads",
                  "must be positive, got 0"));
  CHECK(has_issue(issues, "monitoring.gateway.workers", "65"));
  // A section validated alone names its keys without the prefix.
  CHECK(has_issue(validate(c.runtime), "threads", "must be within"));
}

TEST_CASE("change detector settings are held to the detectors' ranges") {
  auto c = engine_config{};
  c.ml_monitor.adwin_delta = 0;
  c.ml_monitor.ddm_warm_start = 0;
  c.ml_monitor.page_hinkley_min_instances = size_t{1} << 40;
  c.ml_monitor.page_hinkley_alpha = 0;
  c.ml_monitor.page_hinkley_delta = std::numeric_limits<double>::infinity();
  c.ml_monitor.ddm_drift = std::numeric_limits<double>::infinity();
  auto issues = validate(c);
  CHECK(has_issue(issues, "monitoring.ml_monitor.adwin_delta",
                  "must be within (0, 1), got 0"));
  CHECK(has_issue(issues, "monitoring.ml_monitor.ddm_warm_start",
                  "must be within [1, 1000000000], got 0"));
  CHECK(has_issue(issues, "monitoring.ml_monitor.page_hinkley_min_instances",
                  "must be within [1, 1000000000], got 1099511627776"));
  CHECK(has_issue(issues, "monitoring.ml_monitor.page_hinkley_alpha",
                  "must be within (0, 1], got 0"));
  CHECK(has_issue(issues, "monitoring.ml_monitor.page_hinkley_delta",
                  "must be within [0, 1e+300], got inf"));
  CHECK(has_issue(issues, "monitoring.ml_monitor.ddm_drift",
                  "both positive and finite"));
  // The defaults pass.
  CHECK(validate(engine_config{}).empty());
}

TEST_CASE("every key of the field tables is dumped, and what is dumped "
          "loads back to the same config") {
  auto c = unusual();
  auto dumped = to_json(c);
  std::set<std::string> table;
  key_paths v{table, ""};
  fields(v, c);
  std::set<std::string> json;
  json_paths(dumped, "", json, 0);
  // The *_file keys are read only: their secrets are dumped under their own
  // keys (password, hash_key).
  table.erase("report_scheduler.email.password_file");
  table.erase("privacy.hash_key_file");
  std::string only_table;
  for (const auto& k : table)
    if (!json.count(k))
      only_table += k + " ";
  std::string only_json;
  for (const auto& k : json)
    if (!table.count(k))
      only_json += k + " ";
  CHECK_MESSAGE(table == json,
                "only in the tables: " << only_table
                                       << "; only in the dump: " << only_json);
  // JSON is YAML: the dump loads, and dumps the same again (secrets aside,
  // which are *** in the dump).
  auto text = nlohmann::json{{"monitoring", dumped}}.dump();
  auto loaded = load_text(text, [](const std::string&) {
    return std::optional<std::string>{};
  });
  std::string all;
  for (const auto& d : loaded.diagnostics)
    all += to_string(d) + "\n";
  REQUIRE_MESSAGE(loaded.ok(), all);
  CHECK(to_json(*loaded.config) == dumped);
  CHECK(loaded.config->storage.retention.at("spans")
        == std::chrono::seconds{86400});
  CHECK(!loaded.config->report_scheduler.reports.at("nightly").enabled);
}
