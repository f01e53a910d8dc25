// String names of the protocol's enums (spec spellings where the spec has
// them). Each switch has no default, so a new enumerator is a warning here.

#include "messages/metrics.hpp"
#include "messages/ml.hpp"
#include "messages/status.hpp"
#include "messages/storage.hpp"
#include "messages/tracing.hpp"
#include "messages/tracking.hpp"

namespace argus {

const char* to_string(metric_kind x) {
  switch (x) {
    case metric_kind::counter:
      return "counter";
    case metric_kind::gauge:
      return "gauge";
    case metric_kind::histogram:
      return "histogram";
  }
  return "unknown";
}

const char* to_string(severity x) {
  switch (x) {
    case severity::none:
      return "none";
    case severity::low:
      return "low";
    case severity::medium:
      return "medium";
    case severity::high:
      return "high";
    case severity::critical:
      return "critical";
  }
  return "unknown";
}

bool parse_severity(std::string_view name, severity& out) {
  for (auto x : {severity::none, severity::low, severity::medium,
                 severity::high, severity::critical})
    if (name == to_string(x)) {
      out = x;
      return true;
    }
  return false;
}

const char* to_string(tracking_view_kind x) {
  switch (x) {
    case tracking_view_kind::ensembles:
      return "ensembles";
    case tracking_view_kind::regimes:
      return "regimes";
    case tracking_view_kind::features:
      return "features";
    case tracking_view_kind::decisions:
      return "decisions";
  }
  return "unknown";
}

bool parse_tracking_view_kind(std::string_view name, tracking_view_kind& out) {
  for (auto x : {tracking_view_kind::ensembles, tracking_view_kind::regimes,
                 tracking_view_kind::features, tracking_view_kind::decisions})
    if (name == to_string(x)) {
      out = x;
      return true;
    }
  return false;
}

bool parse_metric_kind(std::string_view name, metric_kind& out) {
  for (auto x :
       {metric_kind::counter, metric_kind::gauge, metric_kind::histogram})
    if (name == to_string(x)) {
      out = x;
      return true;
    }
  return false;
}

const char* to_string(component_type x) {
  switch (x) {
    case component_type::analyst:
      return "analyst";
    case component_type::strategist:
      return "strategist";
    case component_type::tactician:
      return "tactician";
    case component_type::supervisor:
      return "supervisor";
    case component_type::exchange:
      return "exchange";
    case component_type::database:
      return "database";
    case component_type::gui:
      return "gui";
    case component_type::monitoring:
      return "monitoring";
  }
  return "unknown";
}

bool parse_component_type(std::string_view name, component_type& out) {
  for (auto i = 0; i <= static_cast<int>(component_type::monitoring); ++i) {
    auto x = static_cast<component_type>(i);
    if (name == to_string(x)) {
      out = x;
      return true;
    }
  }
  return false;
}

const char* to_string(component_state x) {
  switch (x) {
    case component_state::starting:
      return "starting";
    case component_state::running:
      return "running";
    case component_state::degraded:
      return "degraded";
    case component_state::restarting:
      return "restarting";
    case component_state::failed:
      return "failed";
    case component_state::stopped:
      return "stopped";
  }
  return "unknown";
}

const char* to_string(table_id x) {
  switch (x) {
    case table_id::correlation_tracking:
      return "correlation_tracking";
    case table_id::model_behavior_tracking:
      return "model_behavior_tracking";
    case table_id::report_history:
      return "report_history";
    case table_id::ensemble_tracking:
      return "ensemble_tracking";
    case table_id::regime_tracking:
      return "regime_tracking";
    case table_id::spans:
      return "spans";
    case table_id::metric_points:
      return "metric_points";
    case table_id::trades:
      return "trades";
    case table_id::decision_steps:
      return "decision_steps";
    case table_id::drift_results:
      return "drift_results";
    case table_id::drift_alerts:
      return "drift_alerts";
    case table_id::model_performance:
      return "model_performance";
    case table_id::retrain_requests:
      return "retrain_requests";
    case table_id::trading_state:
      return "trading_state";
    case table_id::audit_log:
      return "audit_log";
    case table_id::report_configs:
      return "report_configs";
    case table_id::report_entries:
      return "report_entries";
  }
  return "unknown";
}

} // namespace argus
