#include "config/load.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <sstream>

#include "tests/support/temp_dir.hpp"
#include <nlohmann/json.hpp>

using namespace argus;
using namespace argus::config;
using namespace std::chrono_literals;

namespace {

const char* spec_path
  = ARGUS_SOURCE_DIR "/../shared/spec/000_235e04ccb7734b93.txt";

/// The ```yaml blocks of the spec document, in order.
std::vector<std::string> spec_yaml_blocks() {
  std::ifstream in{spec_path};
  REQUIRE_MESSAGE(in.good(), "cannot read the spec at " << spec_path);
  std::vector<std::string> blocks;
  std::string line;
  std::string current;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line.rfind("```yaml", 0) == 0) {
      inside = true;
      current.clear();
    } else if (inside && line.rfind("```", 0) == 0) {
      inside = false;
      blocks.push_back(current);
    } else if (inside) {
      current += line + "\n";
    }
  }
  return blocks;
}

/// Wraps a component block (`metrics_dashboard: ...`) under `monitoring:`.
std::string under_monitoring(const std::string& block) {
  std::istringstream in{block};
  std::string line;
  std::string out = "monitoring:\n";
  while (std::getline(in, line))
    out += "  " + line + "\n";
  return out;
}

load_result load_yaml(const std::string& yaml,
                      std::map<std::string, std::string> env = {}) {
  return load_text(
    yaml, [env](const std::string& name) -> std::optional<std::string> {
      if (auto i = env.find(name); i != env.end())
        return i->second;
      return std::nullopt;
    });
}

/// @returns the diagnostic for `path`; fails the test if there is none.
diagnostic find(const load_result& r, const std::string& path) {
  for (const auto& d : r.diagnostics)
    if (d.path == path)
      return d;
  std::string all;
  for (const auto& d : r.diagnostics)
    all += to_string(d) + "\n";
  FAIL("no diagnostic for " << path << "; got:\n" << all);
  return {};
}

} // namespace

TEST_CASE("defaults equal the spec's values") {
  engine_config c;
  CHECK(c.enabled);
  CHECK(c.metrics_dashboard.update_interval == 5s);
  CHECK(c.metrics_dashboard.max_metric_history == 1000);
  CHECK(c.metrics_dashboard.enable_real_time_updates);
  CHECK(c.metrics_dashboard.enable_websocket_broadcast);
  REQUIRE(c.metrics_dashboard.aggregation_windows.size() == 5);
  CHECK(c.metrics_dashboard.aggregation_windows[0].name == "1m");
  CHECK(c.metrics_dashboard.aggregation_windows[4].length.count() == 86400);
  CHECK(c.advanced_tracer.enable_tracing);
  CHECK(c.advanced_tracer.correlation_id_header == "X-Correlation-ID");
  CHECK(c.advanced_tracer.trace_sampling_rate == 1.0);
  CHECK(c.advanced_tracer.max_trace_history == 10000);
  CHECK(c.advanced_tracer.component_types.size() == 8);
  CHECK(c.correlation_manager.correlation_timeout == 300s);
  CHECK(c.correlation_manager.max_correlation_history == 10000);
  CHECK(c.ml_monitor.drift_threshold == 0.1);
  CHECK(c.ml_monitor.drift_check_interval == 300s);
  CHECK(c.ml_monitor.performance_check_interval == 60s);
  CHECK(c.ml_monitor.feature_analysis_interval == 600s);
  CHECK(c.ml_monitor.drift_detection_methods.size() == 4);
  CHECK(c.ml_monitor.auto_retraining_triggers.critical_drift_threshold == 0.3);
  CHECK(c.ml_monitor.auto_retraining_triggers.performance_degradation_threshold
        == 0.2);
  CHECK(c.ml_monitor.auto_retraining_triggers.consecutive_failures == 5);
  CHECK(c.report_scheduler.default_schedule == "daily");
  CHECK(c.report_scheduler.report_formats.size() == 3);
  CHECK(c.report_scheduler.default_recipients
        == std::vector<std::string>{"admin@example.com"});
  CHECK(c.report_scheduler.reports.size() == 4);
  CHECK(c.report_scheduler.reports.at("model_analysis").format
        == report_format::html);
  CHECK(c.report_scheduler.email.smtp_server == "smtp.gmail.com");
  CHECK(c.report_scheduler.email.smtp_port == 587);
  CHECK(c.report_scheduler.email.use_tls);
  CHECK(c.report_scheduler.email.from_address == "ares-bot@example.com");
  CHECK(c.report_scheduler.email.reply_to == "support@example.com");
  CHECK(c.tracking_system.max_tracking_history == 50000);
  CHECK(c.tracking_system.correlation_update_interval == 10s);
  CHECK(c.tracking_system.ensemble_update_interval == 30s);
  CHECK(c.tracking_system.regime_update_interval == 60s);
  CHECK(c.tracking_system.decision_update_interval == 30s);
  CHECK(c.tracking_system.regime_tracking.track_regime_duration);
  CHECK(c.tracking_system.feature_tracking.track_rankings);
  CHECK(c.monitoring_integration.enable_unified_monitoring);
  CHECK(validate(c).empty());
}

TEST_CASE("every YAML block of the spec loads and equals the defaults") {
  auto blocks = spec_yaml_blocks();
  REQUIRE(blocks.size() >= 6);
  auto defaults = to_json(engine_config{});
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto text = blocks[i].rfind("monitoring:", 0) != std::string::npos
                    || blocks[i].find("\nmonitoring:") != std::string::npos
                  ? blocks[i]
                  : under_monitoring(blocks[i]);
    INFO("spec YAML block #" << i << ":\n" << text);
    auto r = load_yaml(text);
    for (const auto& d : r.diagnostics)
      FAIL_CHECK(to_string(d));
    REQUIRE(r.ok());
    CHECK(to_json(*r.config) == defaults);
  }
}

TEST_CASE("the shipped example configurations are valid") {
  for (auto name : {"monitoring.yaml", "minimal.yaml"}) {
    auto r
      = load_file(std::string{ARGUS_SOURCE_DIR} + "/config/examples/" + name);
    for (const auto& d : r.diagnostics)
      FAIL_CHECK(name << ": " << to_string(d));
    CHECK(r.ok());
  }
}

TEST_CASE("values from the file override the defaults") {
  auto r = load_yaml(R"(monitoring:
  metrics_dashboard:
    update_interval: 250ms
    max_series_per_metric: 50
    trading_periods_per_year: 252
    aggregation_windows: {"10s": 10, "2m": 120}
  advanced_tracer:
    trace_sampling_rate: 0.25
    component_types: [analyst, exchange]
  report_scheduler:
    reports:
      custom_report: {type: risk_assessment, schedule: "30 */4 * * 1-5",
                      time_zone: America/New_York, format: json,
                      recipients: [a@b.io]}
  storage:
    path: /tmp/x.db
    synchronous: full
    retention: {spans: 7d, trades: 12h}
)");
  REQUIRE(r.ok());
  auto& c = *r.config;
  CHECK(c.metrics_dashboard.update_interval == 250ms);
  CHECK(c.metrics_dashboard.max_series_per_metric == 50);
  CHECK(c.metrics_dashboard.trading_periods_per_year == 252);
  REQUIRE(c.metrics_dashboard.aggregation_windows.size() == 2);
  CHECK(c.metrics_dashboard.aggregation_windows[1].length.count() == 120);
  CHECK(c.advanced_tracer.trace_sampling_rate == 0.25);
  CHECK(c.advanced_tracer.component_types.size() == 2);
  REQUIRE(c.report_scheduler.reports.size() == 1);
  CHECK(c.report_scheduler.reports.at("custom_report").schedule
        == "30 */4 * * 1-5");
  CHECK(c.report_scheduler.reports.at("custom_report").time_zone
        == "America/New_York");
  CHECK(c.storage.synchronous == sync_mode::full);
  CHECK(c.storage.retention.at("trades").count() == 12 * 3600);
}

TEST_CASE("a typo in a key is reported with its path, line and a hint") {
  auto r
    = load_yaml("monitoring:\n  metrics_dashboard:\n    update_intervall: 5\n");
  REQUIRE(!r.ok());
  auto d = find(r, "monitoring.metrics_dashboard.update_intervall");
  CHECK(d.line == 3);
  CHECK(d.column == 5);
  CHECK(d.message.find("did you mean 'update_interval'") != std::string::npos);
  auto top = load_yaml("monitoring:\n  advanced_tracr: {}\n");
  CHECK(find(top, "monitoring.advanced_tracr").line == 2);
}

TEST_CASE("wrong types are reported with path and line") {
  auto r = load_yaml(R"(monitoring:
  metrics_dashboard:
    max_metric_history: lots
    enable_real_time_updates: maybe
  advanced_tracer:
    component_types: analyst
  ml_monitor:
    drift_threshold: [0.1]
)");
  REQUIRE(!r.ok());
  CHECK(find(r, "monitoring.metrics_dashboard.max_metric_history").line == 3);
  CHECK(find(r, "monitoring.metrics_dashboard.enable_real_time_updates")
          .message.find("boolean")
        != std::string::npos);
  CHECK(find(r, "monitoring.advanced_tracer.component_types").line == 6);
  CHECK(find(r, "monitoring.ml_monitor.drift_threshold").line == 8);
  CHECK(r.diagnostics.size() == 4);
}

TEST_CASE("out-of-range values are reported with path and line") {
  auto r = load_yaml(R"(monitoring:
  advanced_tracer:
    trace_sampling_rate: 1.5
  metrics_dashboard:
    update_interval: 0
    max_series_per_metric: 0
    trading_starting_capital: -1
  correlation_manager:
    correlation_timeout: -5
  ml_monitor:
    drift_threshold: -0.1
  report_scheduler:
    email:
      smtp_port: 70000
)");
  REQUIRE(!r.ok());
  auto rate = find(r, "monitoring.advanced_tracer.trace_sampling_rate");
  CHECK(rate.line == 3);
  CHECK(rate.message.find("[0, 1]") != std::string::npos);
  CHECK(find(r, "monitoring.metrics_dashboard.update_interval").line == 5);
  CHECK(find(r, "monitoring.metrics_dashboard.max_series_per_metric").line
        == 6);
  CHECK(find(r, "monitoring.metrics_dashboard.trading_starting_capital").line
        == 7);
  CHECK(find(r, "monitoring.correlation_manager.correlation_timeout").line
        == 9);
  CHECK(find(r, "monitoring.ml_monitor.drift_threshold").line == 11);
  CHECK(find(r, "monitoring.report_scheduler.email.smtp_port").line == 14);
}

TEST_CASE("numbers in a config are decimal: hexadecimal is refused with its "
          "line, a subnormal value is a number") {
  auto r = load_yaml(R"(monitoring:
  ml_monitor:
    adwin_delta: 0x1p-9
    page_hinkley_delta: 4.9e-324
    drift_threshold: 1e-400
)");
  REQUIRE(!r.ok());
  CHECK(find(r, "monitoring.ml_monitor.adwin_delta").line == 3);
  CHECK(find(r, "monitoring.ml_monitor.drift_threshold").line == 5);
  for (const auto& d : r.diagnostics)
    CHECK(d.path != "monitoring.ml_monitor.page_hinkley_delta");
  auto ok = load_yaml(R"(monitoring:
  ml_monitor:
    page_hinkley_delta: 4.9e-324
)");
  REQUIRE(ok.ok());
  CHECK(ok.config->ml_monitor.page_hinkley_delta
        == std::numeric_limits<double>::denorm_min());
}

TEST_CASE("ml_monitor feature methods and detector parameters load - an "
          "unknown method is named with its line") {
  auto r = load_yaml(R"(monitoring:
  ml_monitor:
    feature_methods: {spread: wasserstein, side: chi2}
    adwin_delta: 0.01
    ddm_drift: 4
)");
  REQUIRE(r.ok());
  CHECK(r.config->ml_monitor.feature_methods.at("spread") == "wasserstein");
  CHECK(r.config->ml_monitor.adwin_delta == 0.01);
  CHECK(r.config->ml_monitor.ddm_drift == 4);
  auto bad = load_yaml(R"(monitoring:
  ml_monitor:
    feature_methods:
      spread: magic
)");
  REQUIRE(!bad.ok());
  auto d = find(bad, "monitoring.ml_monitor.feature_methods.spread");
  CHECK(d.line == 4);
  CHECK(d.message.find("unknown method 'magic'") != std::string::npos);
}

TEST_CASE("unknown drift methods, report formats and schedules are named") {
  auto r = load_yaml(R"(monitoring:
  ml_monitor:
    drift_detection_methods: ["statistical_test", "vibes"]
  report_scheduler:
    report_formats: ["pdf", "docx"]
    default_schedule: "fortnightly"
    reports:
      weekly_pnl: {schedule: weekly, format: xlsx}
)");
  REQUIRE(!r.ok());
  auto m = find(r, "monitoring.ml_monitor.drift_detection_methods[1]");
  CHECK(m.line == 3);
  CHECK(m.message.find("'vibes'") != std::string::npos);
  CHECK(m.message.find("performance_degradation") != std::string::npos);
  CHECK(find(r, "monitoring.report_scheduler.report_formats[1]").line == 5);
  CHECK(find(r, "monitoring.report_scheduler.default_schedule").line == 6);
  CHECK(find(r, "monitoring.report_scheduler.reports.weekly_pnl.format").line
        == 8);
}

TEST_CASE("report schedules, times, zones and types are checked at load") {
  auto r = load_yaml(R"(monitoring:
  report_scheduler:
    reports:
      performance_summary: {schedule: "61 * * * *"}
      risk_assessment: {schedule: daily, at: "25:00"}
      model_analysis: {schedule: weekly, time_zone: Mars/Olympus_Mons}
      executive_summary: {schedule: "0 0 31 2 *"}
      nightly_pnl: {schedule: daily}
      fridays: {type: executive_summary, weekday: freitag}
)");
  REQUIRE(!r.ok());
  auto m = find(r, "monitoring.report_scheduler.reports.performance_summary."
                   "schedule");
  CHECK(m.message.find("'61 * * * *' is not a cron expression")
        != std::string::npos);
  CHECK(find(r, "monitoring.report_scheduler.reports.risk_assessment.at")
          .message.find("HH:MM")
        != std::string::npos);
  CHECK(find(r, "monitoring.report_scheduler.reports.model_analysis.time_zone")
          .message.find("Mars/Olympus_Mons")
        != std::string::npos);
  CHECK(find(r, "monitoring.report_scheduler.reports.executive_summary."
                "schedule")
          .message.find("never runs")
        != std::string::npos);
  CHECK(find(r, "monitoring.report_scheduler.reports.nightly_pnl")
          .message.find("not a report type")
        != std::string::npos);
  CHECK(find(r, "monitoring.report_scheduler.reports.fridays.weekday")
          .message.find("freitag")
        != std::string::npos);
}

TEST_CASE("malformed e-mail addresses are reported where they are written") {
  auto r = load_yaml(R"(monitoring:
  report_scheduler:
    default_recipients: ["ok@example.com", "not-an-address"]
    reports:
      risk_assessment:
        recipients: ["risk@", "risk@example.com"]
    email:
      from_address: "bot at example.com"
)");
  REQUIRE(!r.ok());
  CHECK(find(r, "monitoring.report_scheduler.default_recipients[1]").line == 3);
  CHECK(find(r, "monitoring.report_scheduler.reports.risk_assessment."
                "recipients[0]")
          .line
        == 6);
  CHECK(find(r, "monitoring.report_scheduler.email.from_address").line == 8);
  CHECK(r.diagnostics.size() == 3);
}

TEST_CASE("all problems of a file are reported at once, in file order") {
  auto r = load_yaml(R"(monitoring:
  metrics_dashboard:
    update_intervall: 5
  advanced_tracer:
    trace_sampling_rate: 2
  ml_monitor:
    drift_detection_methods: [magic]
)");
  REQUIRE(r.diagnostics.size() == 3);
  CHECK(r.diagnostics[0].line == 3);
  CHECK(r.diagnostics[1].line == 5);
  CHECK(r.diagnostics[2].line == 7);
}

TEST_CASE("environment variables are expanded, with defaults") {
  auto r = load_yaml(R"(monitoring:
  report_scheduler:
    email:
      smtp_server: "${SMTP_HOST}"
      smtp_port: ${SMTP_PORT:-2525}
      username: "${SMTP_USER:-bot}@${SMTP_DOMAIN}"
      password: "${SMTP_PASSWORD}"
)",
                     {{"SMTP_HOST", "mail.internal"},
                      {"SMTP_DOMAIN", "example.com"},
                      {"SMTP_PASSWORD", "hunter2"}});
  REQUIRE(r.ok());
  const auto& e = r.config->report_scheduler.email;
  CHECK(e.smtp_server == "mail.internal");
  CHECK(e.smtp_port == 2525);
  CHECK(e.username == "bot@example.com");
  CHECK(e.password.reveal() == "hunter2");
}

TEST_CASE("a missing environment variable is an error naming it") {
  auto r = load_yaml("monitoring:\n  report_scheduler:\n    email:\n"
                     "      password: ${ARGUS_TEST_UNSET_VAR}\n");
  REQUIRE(!r.ok());
  auto d = find(r, "monitoring.report_scheduler.email.password");
  CHECK(d.line == 4);
  CHECK(d.message.find("ARGUS_TEST_UNSET_VAR") != std::string::npos);
  auto unterminated = load_yaml("monitoring:\n  storage:\n    path: ${OOPS\n");
  CHECK(
    find(unterminated, "monitoring.storage.path").message.find("unterminated")
    != std::string::npos);
}

TEST_CASE("a default may hold another variable, and how deep is bounded") {
  auto r = load_yaml("monitoring:\n  storage:\n"
                     "    path: \"${ARGUS_DIR:-${HOME}/argus}.db\"\n",
                     {{"HOME", "/home/bot"}});
  REQUIRE(r.ok());
  CHECK(r.config->storage.path == "/home/bot/argus.db");
  auto set = load_yaml("monitoring:\n  storage:\n"
                       "    path: \"${ARGUS_DIR:-${HOME}/argus}.db\"\n",
                       {{"HOME", "/home/bot"}, {"ARGUS_DIR", "/srv/a"}});
  REQUIRE(set.ok());
  CHECK(set.config->storage.path == "/srv/a.db");
  auto missing = load_yaml("monitoring:\n  storage:\n"
                           "    path: \"${A:-${B}}\"\n");
  REQUIRE(!missing.ok());
  CHECK(find(missing, "monitoring.storage.path").message.find("B is not set")
        != std::string::npos);
  auto deep = load_yaml("monitoring:\n  storage:\n"
                        "    path: \"${A:-${B:-${C:-${D:-${E:-x}}}}}\"\n");
  REQUIRE(!deep.ok());
  CHECK(find(deep, "monitoring.storage.path").message.find("nest deeper")
        != std::string::npos);
}

TEST_CASE("a key given twice is an error naming both lines") {
  auto r = load_yaml("monitoring:\n"
                     "  storage:\n"
                     "    path: a.db\n"
                     "    batch_max_rows: 10\n"
                     "    path: b.db\n");
  REQUIRE(!r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].line == 5);
  CHECK(r.diagnostics[0].message.find("'path' appears twice")
        != std::string::npos);
  CHECK(r.diagnostics[0].message.find("first at line 3") != std::string::npos);
  // Whole sections too.
  auto sections = load_yaml("monitoring:\n"
                            "  storage:\n"
                            "    path: a.db\n"
                            "  advanced_tracer:\n"
                            "    enable_tracing: true\n"
                            "  storage:\n"
                            "    path: b.db\n");
  REQUIRE(!sections.ok());
  CHECK(sections.diagnostics[0].line == 6);
  CHECK(sections.diagnostics[0].message.find("first at line 2")
        != std::string::npos);
  // The same key in two different mappings is fine.
  auto fine = load_yaml("monitoring:\n"
                        "  report_scheduler:\n"
                        "    reports:\n"
                        "      a:\n"
                        "        type: risk_assessment\n"
                        "        enabled: true\n"
                        "      b:\n"
                        "        type: risk_assessment\n"
                        "        enabled: false\n");
  CHECK(fine.ok());
}

TEST_CASE("a file or an environment value that is not UTF-8 is refused with "
          "its position") {
  auto r = load_yaml("monitoring:\n  storage:\n    path: \"caf\xe9.db\"\n");
  REQUIRE(!r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].line == 3);
  CHECK(r.diagnostics[0].column == 15);
  CHECK(r.diagnostics[0].message.find("not valid UTF-8") != std::string::npos);
  auto env = load_yaml("monitoring:\n  storage:\n    path: \"${P}\"\n",
                       {{"P", std::string{"a\xff.db"}}});
  REQUIRE(!env.ok());
  CHECK(find(env, "monitoring.storage.path").message.find("environment")
        != std::string::npos);
}

TEST_CASE("passwords never appear in rendered output") {
  auto r = load_yaml("monitoring:\n  report_scheduler:\n    email:\n"
                     "      password: ${PW}\n",
                     {{"PW", "s3cr3t-Pa55"}});
  REQUIRE(r.ok());
  auto json = to_json(*r.config).dump();
  CHECK(json.find("s3cr3t-Pa55") == std::string::npos);
  CHECK(json.find("\"password\":\"***\"") != std::string::npos);
  std::ostringstream os;
  os << r.config->report_scheduler.email.password;
  CHECK(os.str() == "***");
}

TEST_CASE("a password can come from a file") {
  test::temp_dir dir;
  auto pw = dir.write("smtp.pw", "from-file-pw\n");
  auto r = load_yaml("monitoring:\n  report_scheduler:\n    email:\n"
                     "      password_file: "
                     + pw + "\n");
  REQUIRE(r.ok());
  CHECK(r.config->report_scheduler.email.password.reveal() == "from-file-pw");
  auto missing = load_yaml("monitoring:\n  report_scheduler:\n    email:\n"
                           "      password_file: /nonexistent/pw\n");
  CHECK(find(missing, "monitoring.report_scheduler.email.password_file").line
        == 4);
}

TEST_CASE("a password_file that is a device, a directory or a large file is "
          "refused before it is read") {
  test::temp_dir dir;
  auto load_pw = [](const std::string& file) {
    return load_yaml("monitoring:\n  report_scheduler:\n    email:\n"
                     "      password_file: "
                     + file + "\n");
  };
  auto key = "monitoring.report_scheduler.email.password_file";
  // Reading /dev/zero to the end of a line would never end.
  auto device = load_pw("/dev/zero");
  CHECK(find(device, key).message.find("not a regular file")
        != std::string::npos);
  auto directory = load_pw(dir.path().string());
  CHECK(find(directory, key).message.find("not a regular file")
        != std::string::npos);
  auto big = load_pw(dir.write("big.pw", std::string(100 * 1024, 'x')));
  CHECK(find(big, key).message.find("larger than 65536 bytes")
        != std::string::npos);
  // A secret without a newline at the end is read whole.
  auto exact = load_pw(dir.write("exact.pw", "no-newline"));
  REQUIRE(exact.ok());
  CHECK(exact.config->report_scheduler.email.password.reveal() == "no-newline");
}

TEST_CASE("YAML aliases and anchors are refused before expansion") {
  // The "billion laughs" shape: each level references the previous nine
  // times. Expanding it would take gigabytes.
  std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string{c} + ": &" + c + " [";
    for (int i = 0; i < 9; ++i)
      bomb += (i ? ",*" : "*") + prev;
    bomb += "]\n";
    prev = std::string{c};
  }
  bomb += "monitoring:\n  enabled: true\n";
  auto r = load_yaml(bomb);
  REQUIRE(!r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].message.find("anchors") != std::string::npos);
  CHECK(r.diagnostics[0].line == 1);
  auto alias = load_yaml("x: 1\nmonitoring:\n  enabled: *x\n");
  REQUIRE(!alias.ok());
}

TEST_CASE("deep nesting is refused with a clear error") {
  std::string deep = "monitoring: " + std::string(100000, '[')
                     + std::string(100000, ']') + "\n";
  auto r = load_yaml(deep);
  REQUIRE(!r.ok());
  CHECK(r.diagnostics[0].message.find("nesting deeper") != std::string::npos);
  std::string block = "monitoring:\n";
  std::string indent = "  ";
  for (int i = 0; i < 40; ++i) {
    block += indent + "k" + std::to_string(i) + ":\n";
    indent += "  ";
  }
  block += indent + "v: 1\n";
  auto r2 = load_yaml(block);
  REQUIRE(!r2.ok());
  CHECK(r2.diagnostics[0].message.find("nesting deeper") != std::string::npos);
}

TEST_CASE("files over 1 MiB are refused unread") {
  test::temp_dir dir;
  auto big = dir.write("big.yaml", "monitoring:\n  enabled: true\n"
                                     + std::string(1 << 20, '#'));
  auto r = load_file(big);
  REQUIRE(!r.ok());
  CHECK(r.diagnostics[0].message.find("more than the limit")
        != std::string::npos);
  CHECK(!load_text(std::string((1 << 20) + 1, ' ')).ok());
}

TEST_CASE("syntax errors, missing files and a missing section are reported") {
  auto syntax = load_yaml("monitoring:\n  enabled: [true\n");
  REQUIRE(!syntax.ok());
  CHECK(syntax.diagnostics[0].message.find("YAML syntax error")
        != std::string::npos);
  CHECK(syntax.diagnostics[0].line > 0);
  auto missing = load_file("/nonexistent/argus.yaml");
  REQUIRE(!missing.ok());
  CHECK(missing.diagnostics[0].message.find("cannot read")
        != std::string::npos);
  auto no_section = load_yaml("trading:\n  pairs: [BTCUSDT]\n");
  REQUIRE(!no_section.ok());
  CHECK(no_section.diagnostics[0].path == "monitoring");
  // The bot's other top-level sections are not ours to judge.
  CHECK(load_yaml("trading: {x: 1}\nmonitoring:\n  enabled: false\n").ok());
}
