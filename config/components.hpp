#pragma once

// Typed configuration of every component. Field names are the YAML keys of
// the spec (`../shared/spec/`); member initializers are the spec's defaults.
// Each `<id>_config` has a `validate()` that reports every problem at once,
// with key paths relative to the section (the loader adds the prefix and the
// line).

#include "config/defaults.hpp"
#include "messages/tracing.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace argus::config {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

/// One problem found in a configuration: a key path and what is wrong.
struct config_issue {
  /// Dotted key path, e.g. `monitoring.advanced_tracer.trace_sampling_rate`.
  std::string path;
  std::string message;
};

/// A password or token. Never printed: every rendering is `***`.
class secret {
public:
  secret() = default;
  explicit secret(std::string value) : value_(std::move(value)) {
  }
  /// @returns the plain value, for the one place that needs it (SMTP login).
  const std::string& reveal() const noexcept {
    return value_;
  }
  bool empty() const noexcept {
    return value_.empty();
  }
  friend std::string to_string(const secret&) {
    return "***";
  }
  friend std::ostream& operator<<(std::ostream& os, const secret&) {
    return os << "***";
  }

private:
  std::string value_;
};

// -- metrics_dashboard --------------------------------------------------------

/// One rollup window (spec: `aggregation_windows`, name -> seconds).
struct aggregation_window {
  std::string name;
  std::chrono::seconds length{0};
};

/// Spec section `metrics_dashboard`.
struct metrics_dashboard_config {
  milliseconds update_interval = 5s;
  size_t max_metric_history = 1000;
  bool enable_real_time_updates = true;
  bool enable_websocket_broadcast = true;
  /// Label sets per metric name; further ones fold into one overflow series
  /// (argus extension).
  size_t max_series_per_metric = 1000;
  /// Trading performance (argus extension): the capital that returns are
  /// measured against (returns are daily net PnL over the equity at the
  /// day's start), and the daily periods per year that Sharpe, Sortino and
  /// Calmar are annualised with (365: crypto markets never close; 252 for
  /// exchange trading days).
  double trading_starting_capital = 10000.0;
  double trading_periods_per_year = 365.0;
  /// Fills held in memory to put fills arriving out of order (within a
  /// minute of the newest) in time order; older ones are folded into the
  /// running figures, which cover every fill since the first (argus
  /// extension).
  size_t max_trades = 100000;
  std::vector<aggregation_window> aggregation_windows = {
    {"1m", std::chrono::seconds{60}},    {"5m", std::chrono::seconds{300}},
    {"15m", std::chrono::seconds{900}},  {"1h", std::chrono::seconds{3600}},
    {"1d", std::chrono::seconds{86400}},
  };
};
std::vector<config_issue> validate(const metrics_dashboard_config& x);

// -- tracer -------------------------------------------------------------------

/// Spec section `advanced_tracer`.
struct tracer_config {
  bool enable_tracing = true;
  std::string correlation_id_header = "X-Correlation-ID";
  double trace_sampling_rate = 1.0;
  size_t max_trace_history = 10000;
  bool enable_performance_tracing = true;
  bool enable_error_tracing = true;
  std::vector<component_type> component_types = {
    component_type::analyst,   component_type::strategist,
    component_type::tactician, component_type::supervisor,
    component_type::exchange,  component_type::database,
    component_type::gui,       component_type::monitoring,
  };
  // argus additions:
  /// Spans at least this slow are kept whatever the sampling (tail keep).
  milliseconds slow_span_threshold = 1s;
  /// Finished spans each bot thread may hold before the tracer takes them;
  /// beyond: dropped and counted.
  size_t thread_buffer_spans = 16384;
  /// How often the tracer takes spans from the threads' buffers.
  milliseconds drain_interval = 5ms;
  /// Spans kept in memory per trace; beyond: not kept in memory (still
  /// persisted), counted.
  size_t max_spans_per_trace = 1000;
};
std::vector<config_issue> validate(const tracer_config& x);

// -- correlation_manager ------------------------------------------------------

/// Spec section `correlation_manager`.
struct correlation_manager_config {
  bool enable_correlation_tracking = true;
  milliseconds correlation_timeout = 300s;
  size_t max_correlation_history = 10000;
  bool enable_performance_analysis = true;
  bool enable_debug_aggregation = true;
};
std::vector<config_issue> validate(const correlation_manager_config& x);

// -- ml_monitor
// -----------------------------------------------------------------

/// The spec's drift detection method names.
enum class drift_method : uint8_t {
  statistical_test,
  distribution_comparison,
  performance_degradation,
  feature_drift,
};
const char* to_string(drift_method x);

/// Spec sub-section `ml_monitor.auto_retraining_triggers`.
struct retraining_triggers_config {
  double critical_drift_threshold = 0.3;
  double performance_degradation_threshold = 0.2;
  size_t consecutive_failures = 5;
};

/// Spec section `ml_monitor`.
struct ml_monitor_config {
  bool enable_online_learning = true;
  bool drift_detection_enabled = true;
  bool feature_importance_tracking = true;
  bool auto_retraining_enabled = true;
  double drift_threshold = 0.1;
  milliseconds drift_check_interval = 300s;
  milliseconds performance_check_interval = 60s;
  milliseconds feature_analysis_interval = 600s;
  std::vector<drift_method> drift_detection_methods = {
    drift_method::statistical_test,
    drift_method::distribution_comparison,
    drift_method::performance_degradation,
    drift_method::feature_drift,
  };
  retraining_triggers_config auto_retraining_triggers;
  // argus extensions:
  /// Observations per feature in the reference (the first ones after a
  /// deployment) and in the current window.
  size_t reference_window = 1000;
  size_t current_window = 1000;
  /// The current window also drops observations older than this (0: no
  /// age limit).
  milliseconds current_max_age = 0s;
  /// Fewest current observations a feature needs before it is tested.
  size_t min_samples = 30;
  /// The false discovery rate across one model's features
  /// (Benjamini-Hochberg), for the tests with a p-value.
  double significance = 0.05;
  /// Anti-flap: a drift condition must hold this long before its alert
  /// fires, and be clear this long before it resolves.
  milliseconds alert_pending = 0s;
  milliseconds alert_keep = 0s;
  /// No second retraining request for a model within this time.
  milliseconds retrain_cooldown = 3600s;
  /// Predictions waiting for their label (oldest dropped and counted).
  size_t max_pending_labels = 100000;
  /// Joined predictions in the performance windows.
  size_t performance_window = 1000;
  /// Alerts kept in memory for `get_drift_alerts`.
  size_t max_alert_history = 1000;
  /// The test per feature where the automatic choice should not decide:
  /// feature name -> ks, cvm, ad (numeric p-values), chi2 (categories), or
  /// psi, wasserstein, js, hellinger (numeric, a score and no p-value).
  std::map<std::string, std::string> feature_methods;
  /// The detectors on each model's error stream.
  double adwin_delta = 0.002;
  double page_hinkley_delta = 0.005;
  double page_hinkley_lambda = 50;
  double page_hinkley_alpha = 0.9999;
  size_t page_hinkley_min_instances = 30;
  size_t ddm_warm_start = 30;
  double ddm_warning = 2.0;
  double ddm_drift = 3.0;
};
std::vector<config_issue> validate(const ml_monitor_config& x);

// -- report_scheduler
// -----------------------------------------------------------

/// The reports argus knows how to build.
inline constexpr const char* report_type_names[]
  = {"performance_summary", "model_analysis", "risk_assessment",
     "executive_summary"};

/// The rendered form of a report.
enum class report_format : uint8_t { pdf, html, json };
const char* to_string(report_format x);

/// Spec sub-section `report_scheduler.reports.<name>`.
struct report_definition {
  /// Which report (`performance_summary`, `model_analysis`,
  /// `risk_assessment`, `executive_summary`); empty: the entry's name.
  std::string type;
  /// `hourly`, `daily`, `weekly`, `monthly` or a 5-field cron expression.
  std::string schedule = "daily";
  /// Local time of day (`HH:MM`) of daily, weekly and monthly runs; hourly
  /// runs take its minute.
  std::string at = "06:00";
  /// Weekly runs: `monday` ... `sunday`.
  std::string weekday = "monday";
  /// Monthly runs: 1-31, the last day of a shorter month.
  size_t day_of_month = 1;
  /// The IANA zone of `at` and of cron fields (`Europe/Berlin`); empty:
  /// the section's `time_zone`.
  std::string time_zone;
  report_format format = report_format::pdf;
  std::vector<std::string> recipients;
  bool enabled = true;
};

/// Spec sub-section `report_scheduler.email`.
struct email_config {
  std::string smtp_server = "smtp.gmail.com";
  /// 465: implicit TLS (SMTPS); any other port: STARTTLS when `use_tls`.
  uint16_t smtp_port = 587;
  std::string username = "your-email@gmail.com";
  /// From `password` (use `${ENV}`) or `password_file`.
  secret password = secret{"your-app-password"};
  /// STARTTLS is required: a server that does not offer it gets no mail.
  bool use_tls = true;
  std::string from_address = "ares-bot@example.com";
  std::string reply_to = "support@example.com";
  // argus extensions:
  /// PEM file of the CAs that sign the server's certificate (empty: the
  /// system's).
  std::string ca_file;
  /// Bounds one attempt to send (connect and greeting: a quarter of it).
  milliseconds timeout = 60s;
};

/// Spec section `report_scheduler`.
struct report_scheduler_config {
  bool enable_automated_reports = true;
  /// The schedule of a report that names none (as `schedule`).
  std::string default_schedule = "daily";
  bool email_distribution = true;
  std::vector<report_format> report_formats
    = {report_format::pdf, report_format::html, report_format::json};
  std::vector<std::string> default_recipients = {"admin@example.com"};
  // argus extensions:
  /// The zone of a report that names none.
  std::string time_zone = "UTC";
  /// Where report files go; relative paths are relative to the database's
  /// folder.
  std::string output_directory = "reports";
  /// Report files kept (oldest removed first), and their longest age.
  size_t max_files = 1000;
  milliseconds file_retention = std::chrono::hours{24 * 90};
  /// A run missed while argusd was down runs at start if it is at most this
  /// old.
  milliseconds catch_up_grace = std::chrono::hours{6};
  /// Failed deliveries are retried (doubling from `retry_initial`, with
  /// jitter) until the run is this old, then it is `failed`.
  milliseconds retry_initial = 30s;
  milliseconds retry_max_age = std::chrono::hours{1};
  /// The spec's four report definitions unless the file names its own.
  std::map<std::string, report_definition> reports = {
    {"performance_summary",
     {"", "daily", "06:00", "monday", 1, "", report_format::pdf,
      {"admin@example.com", "trading@example.com"}, true}},
    {"model_analysis",
     {"", "weekly", "06:00", "monday", 1, "", report_format::html,
      {"ml-team@example.com"}, true}},
    {"risk_assessment",
     {"", "daily", "06:00", "monday", 1, "", report_format::pdf,
      {"risk@example.com"}, true}},
    {"executive_summary",
     {"", "weekly", "06:00", "monday", 1, "", report_format::pdf,
      {"executive@example.com"}, true}},
  };
  email_config email;
};
std::vector<config_issue> validate(const report_scheduler_config& x);

/// @returns whether `address` looks like `local@domain.tld`.
bool valid_email_address(const std::string& address);

// -- tracker
// --------------------------------------------------------------------

/// Spec sub-section `tracking_system.ensemble_tracking`.
struct ensemble_tracking_config {
  bool track_individual_predictions = true;
  bool track_ensemble_weights = true;
  bool track_meta_learner = true;
  bool track_confidence_scores = true;
};

/// Spec sub-section `tracking_system.regime_tracking`.
struct regime_tracking_config {
  bool track_regime_probabilities = true;
  bool track_regime_features = true;
  bool track_regime_indicators = true;
  bool track_regime_transitions = true;
  bool track_regime_duration = true;
};

/// Spec sub-section `tracking_system.feature_tracking`.
struct feature_tracking_config {
  bool track_importance_scores = true;
  bool track_stability_scores = true;
  bool track_drift_scores = true;
  bool track_rankings = true;
};

/// Spec section `tracking_system`.
struct tracker_config {
  bool enable_correlation_tracking = true;
  bool enable_ensemble_tracking = true;
  bool enable_regime_tracking = true;
  bool enable_decision_path_tracking = true;
  size_t max_tracking_history = 50000;
  milliseconds correlation_update_interval = 10s;
  milliseconds ensemble_update_interval = 30s;
  milliseconds regime_update_interval = 60s;
  milliseconds decision_update_interval = 30s;
  ensemble_tracking_config ensemble_tracking;
  regime_tracking_config regime_tracking;
  feature_tracking_config feature_tracking;
};
std::vector<config_issue> validate(const tracker_config& x);

// -- supervisor
// -------------------------------------------------------------------

/// Spec section `monitoring_integration`, plus the restart policy.
struct supervisor_config {
  bool enable_unified_monitoring = true;
  bool enable_cross_component_tracking = true;
  bool enable_performance_correlation = true;
  size_t max_restarts = defaults::max_restarts;
  milliseconds restart_window = defaults::restart_window;
  milliseconds restart_backoff_initial = defaults::restart_backoff_initial;
  milliseconds restart_backoff_max = defaults::restart_backoff_max;
  milliseconds shutdown_timeout = defaults::shutdown_timeout;
};
std::vector<config_issue> validate(const supervisor_config& x);

// -- storage_writer (not in the spec: where and how rows are kept) ------------

/// SQLite's durability levels we offer.
enum class sync_mode : uint8_t { normal, full };
const char* to_string(sync_mode x);

/// Section `storage`.
struct storage_config {
  std::string path = defaults::database_path;
  /// `normal` (WAL: durable across process crashes) or `full` (also across
  /// power loss).
  sync_mode synchronous = sync_mode::normal;
  size_t batch_max_rows = defaults::batch_max_rows;
  milliseconds batch_interval = defaults::batch_interval;
  size_t max_pending_rows = defaults::max_pending_rows;
  milliseconds busy_timeout = defaults::busy_timeout;
  /// 0: no budget. Otherwise the file may not grow beyond this many MiB.
  uint64_t max_size_mb = 0;
  /// Age after which rows are deleted, per table name; absent: kept forever.
  std::map<std::string, std::chrono::seconds> retention;
  milliseconds retention_interval = defaults::retention_interval;
  size_t retention_batch_rows = defaults::retention_batch_rows;
};
std::vector<config_issue> validate(const storage_config& x);

// -- runtime
// ---------------------------------------------------------------------

/// Section `runtime`: the actor system and the client facade.
struct runtime_config {
  /// Scheduler threads; 0 means one per core.
  size_t threads = 0;
  /// trace, debug, info, warn, error, critical or off.
  std::string log_level = "info";
  size_t client_queue_capacity = defaults::client_queue_capacity;
  /// How much of that queue, in percent, the doors that can wait for room
  /// (the wire, the HTTP ingest) may fill. The rest stays for the bot's own
  /// records, which cannot wait and are dropped on a full queue: a flood at
  /// a door slows that door, not the bot.
  size_t door_queue_percent = 75;
  /// The tracer and the storage writer on threads of their own (CAF
  /// `detached`), so a COMMIT never delays draining the bot's span
  /// buffers. Off only for deterministic tests, where every actor must run
  /// on the test coordinator.
  bool dedicated_threads = true;
};
std::vector<config_issue> validate(const runtime_config& x);

// -- the whole tree
// ------------------------------------------------------------

// -- privacy ------------------------------------------------------------------

/// What is anonymised at the source, before anything is stored, exported,
/// logged or shown (the spec's data-privacy consideration).
struct privacy_config {
  /// Keys whose values are replaced whole: span and event attributes, metric
  /// labels and string maps (case-insensitive; a dotted key matches by any
  /// of its segments: `exchange.api_key`).
  std::vector<std::string> redact_keys
    = {"password", "passwd",        "secret",     "token", "api_key",
       "apikey",   "authorization", "account_id", "email"};
  /// RE2 patterns: every match, in any text of any event, span or label, is
  /// replaced. The default finds e-mail addresses.
  std::vector<std::string> redact_patterns
    = {R"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"};
  /// Key of the HMAC-SHA256 that replaces a value by `hmac:` and 16 hex
  /// digits (equal values stay equal, so grouping by them still works);
  /// without a key a value becomes `[redacted]`.
  secret hash_key;
};
std::vector<config_issue> validate(const privacy_config& x);

// -- gateway ------------------------------------------------------------------

/// One bearer token of the HTTP API (`gateway.tokens.<name>`).
struct api_token {
  /// viewer (reads), operator (reads, ingest, report runs) or admin.
  std::string role = "viewer";
  /// From `token` (use `${ENV}`) or `token_file`. Kept only as its
  /// SHA-256 once the gateway starts.
  secret token;
};

/// argus's own section `gateway`: the HTTP listener (REST API, /metrics,
/// ingest). An embedded engine opens no port unless `enabled`.
struct gateway_config {
  bool enabled = false;
  /// Loopback by default; any other address needs TLS (or the loud
  /// `allow_insecure_remote`).
  std::string address = "127.0.0.1";
  /// 0: an ephemeral port (argusd prints the one it got).
  uint16_t port = 8470;
  std::string tls_certificate;
  std::string tls_key;
  bool allow_insecure_remote = false;
  std::map<std::string, api_token> tokens;
  size_t max_connections = 256;
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  /// A request must arrive whole within this time; idle connections close.
  milliseconds read_timeout = 30s;
  /// Threads that run the route handlers (reads, engine queries).
  size_t workers = 2;
  /// Threads that run the sockets: TLS, HTTP parsing, WebSocket framing
  /// and writes (a published message is deflated once for all clients).
  size_t io_threads = 2;
  /// WebSocket clients of `/ws` at once; one more is answered 503.
  size_t websocket_max_connections = 256;
  /// Largest message a WebSocket client may send (inflated); more: 1009.
  size_t websocket_max_message_bytes = 64 * 1024;
  /// Messages waiting for one WebSocket client; more drops its oldest.
  size_t websocket_queue_messages = 1024;
  /// A WebSocket client silent this long (pings unanswered) is closed.
  milliseconds websocket_idle_timeout = 60s;
  /// Requests waiting for a worker; more are answered 503.
  size_t max_queued_requests = 1024;
  /// How long a handler waits for a component's answer.
  milliseconds request_timeout = 10s;
  /// Failed authentications from one address within `auth_throttle_window`
  /// after which it is answered 429 until the window passes.
  size_t auth_failures_before_throttle = 10;
  milliseconds auth_throttle_window = 60s;
  /// The web dashboard's folder (`index.html`, `app.js`, `app.css`, and
  /// uPlot under `node_modules/uplot/dist/` from `npm ci`); empty: the
  /// source tree's `web/`. `dashboard: false` serves no page at `/`.
  std::string web_root;
  bool dashboard = true;
  /// Every request and failed authentication to `audit_log`.
  bool audit = true;
  /// Audit records waiting for storage; more are dropped and counted.
  size_t audit_max_pending = 10'000;
};
std::vector<config_issue> validate(const gateway_config& x);

/// @returns whether `address` is an IPv4 or IPv6 loopback address.
bool is_loopback_address(const std::string& address);

/// The spec's `monitoring:` tree.
struct engine_config {
  bool enabled = true;
  metrics_dashboard_config metrics_dashboard;
  tracer_config advanced_tracer;
  correlation_manager_config correlation_manager;
  ml_monitor_config ml_monitor;
  report_scheduler_config report_scheduler;
  tracker_config tracking_system;
  supervisor_config monitoring_integration;
  storage_config storage;
  runtime_config runtime;
  privacy_config privacy;
  gateway_config gateway;
};

/// Validates every section; paths are absolute (`monitoring.<section>.<key>`).
std::vector<config_issue> validate(const engine_config& x);

/// @returns whether `level` names an spdlog level.
bool valid_log_level(const std::string& level);

} // namespace argus::config
