#include "config/components.hpp"

#include <spdlog/common.h>

#include <cmath>
#include <set>

namespace argus::config {

namespace {

/// Collects issues for one section.
struct checker {
  std::vector<config_issue> issues;

  void fail(std::string key, std::string message) {
    issues.push_back({std::move(key), std::move(message)});
  }

  void positive(const char* key, milliseconds x) {
    if (x.count() <= 0)
      fail(key, "must be a positive duration, got " + std::to_string(x.count())
                  + " ms");
  }

  void positive(const char* key, size_t x) {
    if (x == 0)
      fail(key, "must be positive, got 0");
  }

  void within(const char* key, double x, double lo, double hi) {
    if (!std::isfinite(x) || x < lo || x > hi)
      fail(key,
           "must be within [" + fmt(lo) + ", " + fmt(hi) + "], got " + fmt(x));
  }

  void email(const std::string& key, const std::string& x) {
    if (!valid_email_address(x))
      fail(key, "is not an e-mail address: '" + x + "'");
  }

  static std::string fmt(double x) {
    auto s = std::to_string(x);
    // Trim trailing zeros for readable messages ("1.5", not "1.500000").
    if (s.find('.') != std::string::npos) {
      while (!s.empty() && s.back() == '0')
        s.pop_back();
      if (!s.empty() && s.back() == '.')
        s.pop_back();
    }
    return s;
  }
};

} // namespace

bool valid_email_address(const std::string& address) {
  if (address.empty() || address.size() > 254)
    return false;
  auto at = address.find('@');
  if (at == std::string::npos || at == 0
      || address.find('@', at + 1) != std::string::npos)
    return false;
  auto domain = address.substr(at + 1);
  auto dot = domain.find('.');
  if (dot == std::string::npos || dot == 0 || domain.back() == '.')
    return false;
  for (auto c : address)
    if (c <= 0x20 || c >= 0x7f || c == ',' || c == ';' || c == '<' || c == '>'
        || c == '"')
      return false;
  return true;
}

bool valid_log_level(const std::string& level) {
  static const std::set<std::string> levels
    = {"trace", "debug", "info", "warn", "warning", "error", "critical", "off"};
  return levels.count(level) > 0;
}

const char* to_string(drift_method x) {
  switch (x) {
    case drift_method::statistical_test:
      return "statistical_test";
    case drift_method::distribution_comparison:
      return "distribution_comparison";
    case drift_method::performance_degradation:
      return "performance_degradation";
    case drift_method::feature_drift:
      return "feature_drift";
  }
  return "unknown";
}

const char* to_string(report_schedule x) {
  switch (x) {
    case report_schedule::hourly:
      return "hourly";
    case report_schedule::daily:
      return "daily";
    case report_schedule::weekly:
      return "weekly";
    case report_schedule::monthly:
      return "monthly";
  }
  return "unknown";
}

const char* to_string(report_format x) {
  switch (x) {
    case report_format::pdf:
      return "pdf";
    case report_format::html:
      return "html";
    case report_format::json:
      return "json";
  }
  return "unknown";
}

const char* to_string(sync_mode x) {
  switch (x) {
    case sync_mode::normal:
      return "normal";
    case sync_mode::full:
      return "full";
  }
  return "unknown";
}

std::vector<config_issue> validate(const metrics_dashboard_config& x) {
  checker c;
  c.positive("update_interval", x.update_interval);
  c.positive("max_metric_history", x.max_metric_history);
  c.positive("max_series_per_metric", x.max_series_per_metric);
  c.positive("max_trades", x.max_trades);
  if (!(x.trading_starting_capital > 0))
    c.fail("trading_starting_capital", "must be positive");
  if (!(x.trading_periods_per_year > 0))
    c.fail("trading_periods_per_year", "must be positive");
  if (x.aggregation_windows.empty())
    c.fail("aggregation_windows", "needs at least one window");
  std::set<std::string> names;
  for (const auto& w : x.aggregation_windows) {
    if (w.length.count() <= 0)
      c.fail("aggregation_windows." + w.name,
             "must be a positive number of seconds");
    if (!names.insert(w.name).second)
      c.fail("aggregation_windows." + w.name, "is defined twice");
  }
  return std::move(c.issues);
}

std::vector<config_issue> validate(const tracer_config& x) {
  checker c;
  c.within("trace_sampling_rate", x.trace_sampling_rate, 0.0, 1.0);
  c.positive("max_trace_history", x.max_trace_history);
  c.positive("slow_span_threshold", x.slow_span_threshold);
  c.positive("thread_buffer_spans", x.thread_buffer_spans);
  c.positive("drain_interval", x.drain_interval);
  c.positive("max_spans_per_trace", x.max_spans_per_trace);
  if (x.correlation_id_header.empty())
    c.fail("correlation_id_header", "must not be empty");
  for (auto ch : x.correlation_id_header)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-'
          || ch == '_')) {
      c.fail("correlation_id_header", "is not a valid HTTP header name: '"
                                        + x.correlation_id_header + "'");
      break;
    }
  return std::move(c.issues);
}

std::vector<config_issue> validate(const correlation_manager_config& x) {
  checker c;
  c.positive("correlation_timeout", x.correlation_timeout);
  c.positive("max_correlation_history", x.max_correlation_history);
  return std::move(c.issues);
}

std::vector<config_issue> validate(const ml_monitor_config& x) {
  checker c;
  c.within("drift_threshold", x.drift_threshold, 0.0, 1.0);
  c.positive("drift_check_interval", x.drift_check_interval);
  c.positive("performance_check_interval", x.performance_check_interval);
  c.positive("feature_analysis_interval", x.feature_analysis_interval);
  c.positive("reference_window", x.reference_window);
  c.positive("current_window", x.current_window);
  c.positive("min_samples", x.min_samples);
  c.within("significance", x.significance, 0.0, 1.0);
  c.positive("max_pending_labels", x.max_pending_labels);
  c.positive("performance_window", x.performance_window);
  c.positive("max_alert_history", x.max_alert_history);
  c.within("adwin_delta", x.adwin_delta, 0.0, 1.0);
  c.within("page_hinkley_alpha", x.page_hinkley_alpha, 0.0, 1.0);
  if (!(x.page_hinkley_lambda > 0))
    c.fail("page_hinkley_lambda", "must be positive");
  if (!(x.ddm_warning > 0 && x.ddm_drift > x.ddm_warning))
    c.fail("ddm_drift", "must be above ddm_warning, both positive");
  const auto& t = x.auto_retraining_triggers;
  c.within("auto_retraining_triggers.critical_drift_threshold",
           t.critical_drift_threshold, 0.0, 1.0);
  c.within("auto_retraining_triggers.performance_degradation_threshold",
           t.performance_degradation_threshold, 0.0, 1.0);
  c.positive("auto_retraining_triggers.consecutive_failures",
             t.consecutive_failures);
  if (t.critical_drift_threshold < x.drift_threshold)
    c.fail("auto_retraining_triggers.critical_drift_threshold",
           "must not be below drift_threshold ("
             + checker::fmt(x.drift_threshold) + ")");
  return std::move(c.issues);
}

std::vector<config_issue> validate(const report_scheduler_config& x) {
  checker c;
  for (size_t i = 0; i < x.default_recipients.size(); ++i)
    c.email("default_recipients[" + std::to_string(i) + "]",
            x.default_recipients[i]);
  for (const auto& [name, def] : x.reports)
    for (size_t i = 0; i < def.recipients.size(); ++i)
      c.email("reports." + name + ".recipients[" + std::to_string(i) + "]",
              def.recipients[i]);
  if (x.email.smtp_server.empty())
    c.fail("email.smtp_server", "must not be empty");
  if (x.email.smtp_port == 0)
    c.fail("email.smtp_port", "must be within [1, 65535], got 0");
  c.email("email.from_address", x.email.from_address);
  if (!x.email.reply_to.empty())
    c.email("email.reply_to", x.email.reply_to);
  if (x.report_formats.empty())
    c.fail("report_formats", "needs at least one format");
  return std::move(c.issues);
}

std::vector<config_issue> validate(const tracker_config& x) {
  checker c;
  c.positive("max_tracking_history", x.max_tracking_history);
  c.positive("correlation_update_interval", x.correlation_update_interval);
  c.positive("ensemble_update_interval", x.ensemble_update_interval);
  c.positive("regime_update_interval", x.regime_update_interval);
  c.positive("decision_update_interval", x.decision_update_interval);
  return std::move(c.issues);
}

std::vector<config_issue> validate(const supervisor_config& x) {
  checker c;
  c.positive("restart_window", x.restart_window);
  c.positive("restart_backoff_initial", x.restart_backoff_initial);
  c.positive("restart_backoff_max", x.restart_backoff_max);
  c.positive("shutdown_timeout", x.shutdown_timeout);
  if (x.restart_backoff_max < x.restart_backoff_initial)
    c.fail("restart_backoff_max", "must not be below restart_backoff_initial");
  return std::move(c.issues);
}

std::vector<config_issue> validate(const storage_config& x) {
  checker c;
  if (x.path.empty())
    c.fail("path", "must not be empty");
  c.positive("batch_max_rows", x.batch_max_rows);
  c.positive("batch_interval", x.batch_interval);
  c.positive("busy_timeout", x.busy_timeout);
  c.positive("retention_interval", x.retention_interval);
  c.positive("retention_batch_rows", x.retention_batch_rows);
  if (x.max_pending_rows < x.batch_max_rows)
    c.fail("max_pending_rows", "must be at least batch_max_rows ("
                                 + std::to_string(x.batch_max_rows) + ")");
  for (const auto& [table, age] : x.retention)
    if (age.count() <= 0)
      c.fail("retention." + table, "must be a positive duration");
  return std::move(c.issues);
}

std::vector<config_issue> validate(const runtime_config& x) {
  checker c;
  if (!valid_log_level(x.log_level))
    c.fail("log_level", "must be one of trace, debug, info, warn, error, "
                        "critical, off; got '"
                          + x.log_level + "'");
  c.positive("client_queue_capacity", x.client_queue_capacity);
  if (x.threads > 256)
    c.fail("threads",
           "must be within [0, 256], got " + std::to_string(x.threads));
  return std::move(c.issues);
}

std::vector<config_issue> validate(const engine_config& x) {
  std::vector<config_issue> result;
  auto add = [&](const char* section, std::vector<config_issue> issues) {
    for (auto& i : issues)
      result.push_back({std::string{"monitoring."} + section + "." + i.path,
                        std::move(i.message)});
  };
  add("metrics_dashboard", validate(x.metrics_dashboard));
  add("advanced_tracer", validate(x.advanced_tracer));
  add("correlation_manager", validate(x.correlation_manager));
  add("ml_monitor", validate(x.ml_monitor));
  add("report_scheduler", validate(x.report_scheduler));
  add("tracking_system", validate(x.tracking_system));
  add("monitoring_integration", validate(x.monitoring_integration));
  add("storage", validate(x.storage));
  add("runtime", validate(x.runtime));
  return result;
}

} // namespace argus::config
