#include "config/load.hpp"

#include "messages/error.hpp"
#include "messages/storage.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace argus::config {

namespace {

// -- shared state of one load ------------------------------------------------

struct context {
  const env_lookup& env;
  std::vector<diagnostic> diagnostics;
  /// Where each key path was found, for validation messages.
  std::map<std::string, YAML::Mark> marks;

  void fail(const std::string& path, const YAML::Mark& mark, std::string msg) {
    auto line = mark.line >= 0 ? mark.line + 1 : 0;
    auto column = mark.column >= 0 ? mark.column + 1 : 0;
    diagnostics.push_back({path, line, column, std::move(msg)});
  }

  /// Attaches the position recorded for `path` (or its closest parent).
  void fail_at_path(const std::string& path, std::string msg) {
    auto probe = path;
    while (!probe.empty()) {
      if (auto i = marks.find(probe); i != marks.end()) {
        fail(path, i->second, std::move(msg));
        return;
      }
      auto cut = probe.find_last_of(".[");
      if (cut == std::string::npos)
        break;
      probe.resize(cut);
    }
    diagnostics.push_back({path, 0, 0, std::move(msg)});
  }
};

/// Edit distance, for "did you mean" hints on unknown keys.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    auto diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      auto up = row[j];
      row[j] = std::min(
        {row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// Expands `${VAR}` and `${VAR:-default}`; `$$` is a literal `$`.
std::optional<std::string> expand(const std::string& in, const env_lookup& env,
                                  std::string& error) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$' || i + 1 >= in.size()) {
      out.push_back(in[i]);
      continue;
    }
    if (in[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (in[i + 1] != '{') {
      out.push_back(in[i]);
      continue;
    }
    auto close = in.find('}', i + 2);
    if (close == std::string::npos) {
      error = "unterminated '${' in value";
      return std::nullopt;
    }
    auto body = in.substr(i + 2, close - i - 2);
    std::optional<std::string> fallback;
    if (auto sep = body.find(":-"); sep != std::string::npos) {
      fallback = body.substr(sep + 2);
      body.resize(sep);
    }
    auto valid_name
      = !body.empty() && std::all_of(body.begin(), body.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        });
    if (!valid_name) {
      error = "'${" + body + "}' is not a valid environment variable name";
      return std::nullopt;
    }
    auto value = env(body);
    if (!value || (value->empty() && fallback)) {
      if (!fallback) {
        error = "environment variable " + body + " is not set";
        return std::nullopt;
      }
      value = fallback;
    }
    out += *value;
    i = close;
  }
  return out;
}

// -- refusing hostile documents before building a node tree -----------------

struct refused {
  YAML::Mark mark;
  std::string message;
};

/// Walks the event stream and throws `refused` on anchors, aliases and deep
/// nesting. Runs before `YAML::Load`, so an alias bomb is never expanded and
/// deep nesting never recurses far.
class hostile_scan : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark&) override {
  }
  void OnDocumentEnd() override {
  }
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override {
    check_anchor(m, a);
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override {
    throw refused{m, "YAML aliases (*name) are not accepted: expand the "
                     "value where it is used"};
  }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                const std::string&) override {
    check_anchor(m, a);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&,
                       YAML::anchor_t a, YAML::EmitterStyle::value) override {
    enter(m, a);
  }
  void OnSequenceEnd() override {
    --depth_;
  }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                  YAML::EmitterStyle::value) override {
    enter(m, a);
  }
  void OnMapEnd() override {
    --depth_;
  }

private:
  void check_anchor(const YAML::Mark& m, YAML::anchor_t a) {
    if (a != YAML::NullAnchor)
      throw refused{m, "YAML anchors (&name) are not accepted: write the "
                       "value out"};
  }
  void enter(const YAML::Mark& m, YAML::anchor_t a) {
    check_anchor(m, a);
    if (++depth_ > defaults::max_config_depth)
      throw refused{m, "nesting deeper than "
                         + std::to_string(defaults::max_config_depth)
                         + " levels is not accepted"};
  }
  size_t depth_ = 0;
};

// -- typed reading of one mapping ---------------------------------------------

template <class Enum>
bool parse_enum(const std::string& text, Enum last, Enum& out) {
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    auto x = static_cast<Enum>(i);
    if (text == to_string(x)) {
      out = x;
      return true;
    }
  }
  return false;
}

template <class Enum>
std::string enum_choices(Enum last) {
  std::string result;
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    if (!result.empty())
      result += ", ";
    result += to_string(static_cast<Enum>(i));
  }
  return result;
}

/// Reads the keys of one YAML mapping into typed fields. Every key read is
/// recorded; `finish` reports the keys nobody asked for.
class reader {
public:
  reader(context& ctx, YAML::Node node, std::string path)
      : ctx_(ctx), node_(std::move(node)), path_(std::move(path)) {
    ctx_.marks[path_] = node_.Mark();
  }

  ~reader() = default;
  reader(reader&&) = default;

  bool is_map() const {
    return node_.IsMap();
  }

  void read(const char* key, bool& out) {
    if (auto s = scalar(key)) {
      if (*s == "true" || *s == "True" || *s == "TRUE" || *s == "yes"
          || *s == "on")
        out = true;
      else if (*s == "false" || *s == "False" || *s == "FALSE" || *s == "no"
               || *s == "off")
        out = false;
      else
        fail(key, "expected a boolean (true or false), got '" + *s + "'");
    }
  }

  template <class Int>
  std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>>
  read(const char* key, Int& out) {
    if (auto s = scalar(key)) {
      Int value{};
      auto [end, err]
        = std::from_chars(s->data(), s->data() + s->size(), value);
      if (err == std::errc::result_out_of_range)
        fail(key, "is out of range for this field: '" + *s + "'");
      else if (err != std::errc{} || end != s->data() + s->size())
        fail(key, std::string{"expected "}
                    + (std::is_signed_v<Int> ? "an integer"
                                             : "a non-negative integer")
                    + ", got '" + *s + "'");
      else
        out = value;
    }
  }

  void read(const char* key, double& out) {
    if (auto s = scalar(key)) {
      if (auto d = to_double(*s))
        out = *d;
      else
        fail(key, "expected a number, got '" + *s + "'");
    }
  }

  void read(const char* key, std::string& out) {
    if (auto s = scalar(key))
      out = *s;
  }

  void read(const char* key, secret& out) {
    if (auto s = scalar(key))
      out = secret{*s};
  }

  /// Durations: a number of seconds (`5`, `0.25`) or a number with a unit
  /// (`250ms`, `5s`, `10m`, `1h`, `1d`).
  void read(const char* key, milliseconds& out) {
    if (auto s = scalar(key)) {
      if (auto d = to_duration(*s))
        out = *d;
      else
        fail(key, "expected a duration in seconds (e.g. 5, 0.5) or with a "
                  "unit (250ms, 5s, 10m, 1h, 1d), got '"
                    + *s + "'");
    }
  }

  void read(const char* key, std::vector<std::string>& out) {
    auto items = sequence(key);
    if (!items)
      return;
    out.clear();
    for (size_t i = 0; i < items->size(); ++i)
      if (auto s = item_scalar(key, (*items)[i], i))
        out.push_back(*s);
  }

  template <class Enum>
  void read_enum(const char* key, Enum last, Enum& out) {
    if (auto s = scalar(key))
      if (!parse_enum(*s, last, out))
        fail(key, "unknown value '" + *s + "'; expected one of "
                    + enum_choices(last));
  }

  template <class Enum>
  void read_enum_list(const char* key, Enum last, std::vector<Enum>& out) {
    auto items = sequence(key);
    if (!items)
      return;
    out.clear();
    for (size_t i = 0; i < items->size(); ++i) {
      auto s = item_scalar(key, (*items)[i], i);
      if (!s)
        continue;
      Enum value{};
      if (parse_enum(*s, last, value))
        out.push_back(value);
      else
        ctx_.fail(item_path(key, i), (*items)[i].Mark(),
                  "unknown value '" + *s + "'; expected one of "
                    + enum_choices(last));
    }
  }

  /// A nested mapping; `std::nullopt` if absent or not a mapping (reported).
  std::optional<reader> sub(const char* key) {
    auto child = get(key);
    if (!child)
      return std::nullopt;
    if (!child->IsMap()) {
      fail(key, "expected a mapping of keys to values");
      return std::nullopt;
    }
    return reader{ctx_, *child, path_ + "." + key};
  }

  /// Calls `f(name, reader_or_value_node, path)` for each entry of a nested
  /// mapping whose keys are user-chosen names.
  template <class F>
  bool each_entry(const char* key, F f) {
    auto child = get(key);
    if (!child)
      return false;
    if (!child->IsMap()) {
      fail(key, "expected a mapping of names to values");
      return false;
    }
    for (auto it = child->begin(); it != child->end(); ++it) {
      auto name = it->first.Scalar();
      auto path = path_ + "." + key + "." + name;
      ctx_.marks[path] = it->second.Mark();
      f(name, it->second, path);
    }
    return true;
  }

  /// Reports keys that no `read` asked for, with a hint for near misses.
  void finish() {
    if (!node_.IsMap())
      return;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      auto key = it->first.Scalar();
      if (seen_.count(key))
        continue;
      std::string hint;
      size_t best = 3;
      for (const auto& k : asked_) {
        auto d = edit_distance(key, k);
        if (d < best) {
          best = d;
          hint = k;
        }
      }
      auto msg = "unknown key '" + key + "'";
      if (!hint.empty())
        msg += "; did you mean '" + hint + "'?";
      ctx_.fail(path_ + "." + key, it->first.Mark(), msg);
    }
  }

  context& ctx() {
    return ctx_;
  }

  const std::string& path() const {
    return path_;
  }

  static std::optional<double> to_double(const std::string& s) {
    if (s.empty())
      return std::nullopt;
    errno = 0;
    char* end = nullptr;
    auto d = std::strtod(s.c_str(), &end);
    if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(d))
      return std::nullopt;
    return d;
  }

  static std::optional<milliseconds> to_duration(const std::string& s) {
    static const std::pair<const char*, double> units[]
      = {{"ms", 1.0}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}, {"d", 86400e3}};
    double scale = 1e3;
    auto number = s;
    for (const auto& [suffix, factor] : units) {
      auto n = std::char_traits<char>::length(suffix);
      if (s.size() > n && s.compare(s.size() - n, n, suffix) == 0
          && std::isdigit(static_cast<unsigned char>(s[s.size() - n - 1]))) {
        number = s.substr(0, s.size() - n);
        scale = factor;
        break;
      }
    }
    auto d = to_double(number);
    if (!d || *d * scale > 1e15 || *d * scale < -1e15)
      return std::nullopt;
    return milliseconds{static_cast<int64_t>(std::llround(*d * scale))};
  }

  /// The expanded scalar of `node`, or an error at `path`.
  std::optional<std::string> expand_scalar(const YAML::Node& node,
                                           const std::string& path) {
    if (node.IsNull()) {
      ctx_.fail(path, node.Mark(), "has no value");
      return std::nullopt;
    }
    if (!node.IsScalar()) {
      ctx_.fail(path, node.Mark(),
                node.IsSequence() ? "expected a single value, got a list"
                                  : "expected a single value, got a mapping");
      return std::nullopt;
    }
    std::string error;
    auto result = expand(node.Scalar(), ctx_.env, error);
    if (!result)
      ctx_.fail(path, node.Mark(), error);
    return result;
  }

private:
  std::optional<YAML::Node> get(const char* key) {
    asked_.insert(key);
    if (!node_.IsMap())
      return std::nullopt;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (it->first.Scalar() == key) {
        seen_.insert(key);
        ctx_.marks[path_ + "." + key] = it->second.Mark();
        return it->second;
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> scalar(const char* key) {
    auto child = get(key);
    if (!child)
      return std::nullopt;
    return expand_scalar(*child, path_ + "." + key);
  }

  std::optional<YAML::Node> sequence(const char* key) {
    auto child = get(key);
    if (!child)
      return std::nullopt;
    if (!child->IsSequence()) {
      fail(key, "expected a list, e.g. [\"a\", \"b\"]");
      return std::nullopt;
    }
    return child;
  }

  std::string item_path(const char* key, size_t i) const {
    return path_ + "." + key + "[" + std::to_string(i) + "]";
  }

  std::optional<std::string> item_scalar(const char* key,
                                         const YAML::Node& item, size_t i) {
    auto path = item_path(key, i);
    ctx_.marks[path] = item.Mark();
    return expand_scalar(item, path);
  }

  void fail(const char* key, std::string msg) {
    auto path = path_ + "." + key;
    auto i = ctx_.marks.find(path);
    ctx_.fail(path, i != ctx_.marks.end() ? i->second : node_.Mark(),
              std::move(msg));
  }

  context& ctx_;
  YAML::Node node_;
  std::string path_;
  std::set<std::string> asked_;
  std::set<std::string> seen_;
};

// -- one function per section ------------------------------------------------

void read_section(reader& r, metrics_dashboard_config& c) {
  r.read("update_interval", c.update_interval);
  r.read("max_metric_history", c.max_metric_history);
  r.read("enable_real_time_updates", c.enable_real_time_updates);
  r.read("enable_websocket_broadcast", c.enable_websocket_broadcast);
  r.read("max_series_per_metric", c.max_series_per_metric);
  r.read("trading_starting_capital", c.trading_starting_capital);
  r.read("trading_periods_per_year", c.trading_periods_per_year);
  r.read("max_trades", c.max_trades);
  std::vector<aggregation_window> windows;
  if (r.each_entry("aggregation_windows", [&](const std::string& name,
                                              const YAML::Node& value,
                                              const std::string& path) {
        auto s = r.expand_scalar(value, path);
        if (!s)
          return;
        auto d = reader::to_duration(*s);
        if (!d || d->count() % 1000 != 0) {
          r.ctx().fail(path, value.Mark(),
                       "expected a whole number of seconds, got '" + *s + "'");
          return;
        }
        windows.push_back(
          {name, std::chrono::duration_cast<std::chrono::seconds>(*d)});
      }))
    c.aggregation_windows = std::move(windows);
}

void read_section(reader& r, tracer_config& c) {
  r.read("enable_tracing", c.enable_tracing);
  r.read("correlation_id_header", c.correlation_id_header);
  r.read("trace_sampling_rate", c.trace_sampling_rate);
  r.read("max_trace_history", c.max_trace_history);
  r.read("enable_performance_tracing", c.enable_performance_tracing);
  r.read("enable_error_tracing", c.enable_error_tracing);
  r.read_enum_list("component_types", component_type::monitoring,
                   c.component_types);
  r.read("slow_span_threshold", c.slow_span_threshold);
  r.read("thread_buffer_spans", c.thread_buffer_spans);
  r.read("drain_interval", c.drain_interval);
  r.read("max_spans_per_trace", c.max_spans_per_trace);
}

void read_section(reader& r, correlation_manager_config& c) {
  r.read("enable_correlation_tracking", c.enable_correlation_tracking);
  r.read("correlation_timeout", c.correlation_timeout);
  r.read("max_correlation_history", c.max_correlation_history);
  r.read("enable_performance_analysis", c.enable_performance_analysis);
  r.read("enable_debug_aggregation", c.enable_debug_aggregation);
}

void read_section(reader& r, ml_monitor_config& c) {
  r.read("enable_online_learning", c.enable_online_learning);
  r.read("drift_detection_enabled", c.drift_detection_enabled);
  r.read("feature_importance_tracking", c.feature_importance_tracking);
  r.read("auto_retraining_enabled", c.auto_retraining_enabled);
  r.read("drift_threshold", c.drift_threshold);
  r.read("drift_check_interval", c.drift_check_interval);
  r.read("performance_check_interval", c.performance_check_interval);
  r.read("feature_analysis_interval", c.feature_analysis_interval);
  r.read_enum_list("drift_detection_methods", drift_method::feature_drift,
                   c.drift_detection_methods);
  if (auto t = r.sub("auto_retraining_triggers")) {
    auto& x = c.auto_retraining_triggers;
    t->read("critical_drift_threshold", x.critical_drift_threshold);
    t->read("performance_degradation_threshold",
            x.performance_degradation_threshold);
    t->read("consecutive_failures", x.consecutive_failures);
    t->finish();
  }
  r.read("reference_window", c.reference_window);
  r.read("current_window", c.current_window);
  r.read("current_max_age", c.current_max_age);
  r.read("min_samples", c.min_samples);
  r.read("significance", c.significance);
  r.read("alert_pending", c.alert_pending);
  r.read("alert_keep", c.alert_keep);
  r.read("retrain_cooldown", c.retrain_cooldown);
  r.read("max_pending_labels", c.max_pending_labels);
  r.read("performance_window", c.performance_window);
  r.read("max_alert_history", c.max_alert_history);
  static const std::set<std::string> methods
    = {"ks", "cvm", "ad", "chi2", "psi", "wasserstein", "js", "hellinger"};
  std::map<std::string, std::string> feature_methods;
  if (r.each_entry("feature_methods", [&](const std::string& feature,
                                          const YAML::Node& value,
                                          const std::string& path) {
        auto s = r.expand_scalar(value, path);
        if (!s)
          return;
        if (!methods.count(*s)) {
          r.ctx().fail(path, value.Mark(),
                       "unknown method '" + *s
                         + "'; expected one of ks, cvm, ad, chi2, psi, "
                           "wasserstein, js, hellinger");
          return;
        }
        feature_methods[feature] = *s;
      }))
    c.feature_methods = std::move(feature_methods);
  r.read("adwin_delta", c.adwin_delta);
  r.read("page_hinkley_delta", c.page_hinkley_delta);
  r.read("page_hinkley_lambda", c.page_hinkley_lambda);
  r.read("page_hinkley_alpha", c.page_hinkley_alpha);
  r.read("page_hinkley_min_instances", c.page_hinkley_min_instances);
  r.read("ddm_warm_start", c.ddm_warm_start);
  r.read("ddm_warning", c.ddm_warning);
  r.read("ddm_drift", c.ddm_drift);
}

void read_email(reader& r, email_config& c) {
  r.read("smtp_server", c.smtp_server);
  r.read("smtp_port", c.smtp_port);
  r.read("username", c.username);
  r.read("password", c.password);
  std::string password_file;
  r.read("password_file", password_file);
  if (!password_file.empty()) {
    std::ifstream in{password_file, std::ios::binary};
    std::string value;
    if (!in) {
      r.ctx().fail_at_path(r.path() + ".password_file",
                           "cannot read '" + password_file + "'");
    } else {
      std::getline(in, value);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
        value.pop_back();
      c.password = secret{value};
    }
  }
  r.read("use_tls", c.use_tls);
  r.read("from_address", c.from_address);
  r.read("reply_to", c.reply_to);
}

void read_section(reader& r, report_scheduler_config& c) {
  r.read("enable_automated_reports", c.enable_automated_reports);
  r.read_enum("default_schedule", report_schedule::monthly, c.default_schedule);
  r.read("email_distribution", c.email_distribution);
  r.read_enum_list("report_formats", report_format::json, c.report_formats);
  r.read("default_recipients", c.default_recipients);
  std::map<std::string, report_definition> reports;
  if (r.each_entry("reports", [&](const std::string& name,
                                  const YAML::Node& value,
                                  const std::string& path) {
        if (!value.IsMap()) {
          r.ctx().fail(path, value.Mark(),
                       "expected a mapping with schedule, format, "
                       "recipients, enabled");
          return;
        }
        report_definition def;
        def.schedule = c.default_schedule;
        def.recipients = c.default_recipients;
        reader d{r.ctx(), value, path};
        d.read_enum("schedule", report_schedule::monthly, def.schedule);
        d.read_enum("format", report_format::json, def.format);
        d.read("recipients", def.recipients);
        d.read("enabled", def.enabled);
        d.finish();
        reports[name] = std::move(def);
      }))
    c.reports = std::move(reports);
  if (auto e = r.sub("email")) {
    read_email(*e, c.email);
    e->finish();
  }
}

void read_section(reader& r, tracker_config& c) {
  r.read("enable_correlation_tracking", c.enable_correlation_tracking);
  r.read("enable_ensemble_tracking", c.enable_ensemble_tracking);
  r.read("enable_regime_tracking", c.enable_regime_tracking);
  r.read("enable_decision_path_tracking", c.enable_decision_path_tracking);
  r.read("max_tracking_history", c.max_tracking_history);
  r.read("correlation_update_interval", c.correlation_update_interval);
  r.read("ensemble_update_interval", c.ensemble_update_interval);
  r.read("regime_update_interval", c.regime_update_interval);
  r.read("decision_update_interval", c.decision_update_interval);
  if (auto s = r.sub("ensemble_tracking")) {
    auto& x = c.ensemble_tracking;
    s->read("track_individual_predictions", x.track_individual_predictions);
    s->read("track_ensemble_weights", x.track_ensemble_weights);
    s->read("track_meta_learner", x.track_meta_learner);
    s->read("track_confidence_scores", x.track_confidence_scores);
    s->finish();
  }
  if (auto s = r.sub("regime_tracking")) {
    auto& x = c.regime_tracking;
    s->read("track_regime_probabilities", x.track_regime_probabilities);
    s->read("track_regime_features", x.track_regime_features);
    s->read("track_regime_indicators", x.track_regime_indicators);
    s->read("track_regime_transitions", x.track_regime_transitions);
    s->read("track_regime_duration", x.track_regime_duration);
    s->finish();
  }
  if (auto s = r.sub("feature_tracking")) {
    auto& x = c.feature_tracking;
    s->read("track_importance_scores", x.track_importance_scores);
    s->read("track_stability_scores", x.track_stability_scores);
    s->read("track_drift_scores", x.track_drift_scores);
    s->read("track_rankings", x.track_rankings);
    s->finish();
  }
}

void read_section(reader& r, supervisor_config& c) {
  r.read("enable_unified_monitoring", c.enable_unified_monitoring);
  r.read("enable_cross_component_tracking", c.enable_cross_component_tracking);
  r.read("enable_performance_correlation", c.enable_performance_correlation);
  r.read("max_restarts", c.max_restarts);
  r.read("restart_window", c.restart_window);
  r.read("restart_backoff_initial", c.restart_backoff_initial);
  r.read("restart_backoff_max", c.restart_backoff_max);
  r.read("shutdown_timeout", c.shutdown_timeout);
}

void read_section(reader& r, storage_config& c) {
  r.read("path", c.path);
  r.read_enum("synchronous", sync_mode::full, c.synchronous);
  r.read("batch_max_rows", c.batch_max_rows);
  r.read("batch_interval", c.batch_interval);
  r.read("max_pending_rows", c.max_pending_rows);
  r.read("busy_timeout", c.busy_timeout);
  r.read("max_size_mb", c.max_size_mb);
  r.read("retention_interval", c.retention_interval);
  r.read("retention_batch_rows", c.retention_batch_rows);
  std::map<std::string, std::chrono::seconds> retention;
  if (r.each_entry("retention", [&](const std::string& table,
                                    const YAML::Node& value,
                                    const std::string& path) {
        table_id id{};
        if (!parse_enum(table, last_table_id, id)) {
          r.ctx().fail(path, value.Mark(),
                       "unknown table '" + table + "'; expected one of "
                         + enum_choices(last_table_id));
          return;
        }
        auto s = r.expand_scalar(value, path);
        if (!s)
          return;
        auto d = reader::to_duration(*s);
        if (!d) {
          r.ctx().fail(path, value.Mark(),
                       "expected a duration (e.g. 7d, 12h), got '" + *s + "'");
          return;
        }
        retention[table] = std::chrono::duration_cast<std::chrono::seconds>(*d);
      }))
    c.retention = std::move(retention);
}

void read_section(reader& r, runtime_config& c) {
  r.read("threads", c.threads);
  r.read("log_level", c.log_level);
  r.read("client_queue_capacity", c.client_queue_capacity);
  r.read("dedicated_threads", c.dedicated_threads);
}

template <class Config>
void read_named(reader& monitoring, const char* name, Config& cfg) {
  if (auto s = monitoring.sub(name)) {
    read_section(*s, cfg);
    s->finish();
  }
}

} // namespace

std::string to_string(const diagnostic& x) {
  std::string result = x.path;
  if (x.line > 0)
    result += " (line " + std::to_string(x.line) + ", column "
              + std::to_string(x.column) + ")";
  result += ": ";
  result += x.message;
  return result;
}

std::optional<milliseconds> parse_duration(const std::string& text) {
  return reader::to_duration(text);
}

std::optional<std::string> process_env(const std::string& name) {
  if (auto value = std::getenv(name.c_str()))
    return std::string{value};
  return std::nullopt;
}

load_result load_text(std::string_view yaml, const env_lookup& env) {
  load_result result;
  context ctx{env, {}, {}};
  if (yaml.size() > defaults::max_config_file_bytes) {
    result.diagnostics.push_back(
      {"", 0, 0,
       "file is larger than " + std::to_string(defaults::max_config_file_bytes)
         + " bytes; refusing to parse it"});
    return result;
  }
  std::string text{yaml};
  YAML::Node root;
  try {
    std::istringstream scan_in{text};
    YAML::Parser parser{scan_in};
    hostile_scan scan;
    parser.HandleNextDocument(scan);
    root = YAML::Load(text);
  } catch (const refused& r) {
    ctx.fail("", r.mark, r.message);
    result.diagnostics = std::move(ctx.diagnostics);
    return result;
  } catch (const YAML::Exception& e) {
    ctx.fail("", e.mark, "YAML syntax error: " + e.msg);
    result.diagnostics = std::move(ctx.diagnostics);
    return result;
  }
  engine_config cfg;
  if (!root.IsMap() || !root["monitoring"]) {
    result.diagnostics.push_back(
      {"monitoring", 0, 0, "the file has no top-level 'monitoring:' section"});
    return result;
  }
  auto node = root["monitoring"];
  if (!node.IsMap()) {
    ctx.fail("monitoring", node.Mark(), "expected a mapping of sections");
  } else {
    reader monitoring{ctx, node, "monitoring"};
    monitoring.read("enabled", cfg.enabled);
    read_named(monitoring, "metrics_dashboard", cfg.metrics_dashboard);
    read_named(monitoring, "advanced_tracer", cfg.advanced_tracer);
    read_named(monitoring, "correlation_manager", cfg.correlation_manager);
    read_named(monitoring, "ml_monitor", cfg.ml_monitor);
    read_named(monitoring, "report_scheduler", cfg.report_scheduler);
    read_named(monitoring, "tracking_system", cfg.tracking_system);
    read_named(monitoring, "monitoring_integration",
               cfg.monitoring_integration);
    read_named(monitoring, "storage", cfg.storage);
    read_named(monitoring, "runtime", cfg.runtime);
    monitoring.finish();
  }
  // Semantic checks run on what could be read, so a file with a type error
  // and a range error reports both.
  for (auto& issue : validate(cfg)) {
    // Skip range checks on keys that already failed to parse.
    auto dup = std::any_of(ctx.diagnostics.begin(), ctx.diagnostics.end(),
                           [&](const diagnostic& d) {
                             return d.path == issue.path;
                           });
    if (!dup)
      ctx.fail_at_path(issue.path, std::move(issue.message));
  }
  std::stable_sort(ctx.diagnostics.begin(), ctx.diagnostics.end(),
                   [](const diagnostic& a, const diagnostic& b) {
                     return std::tie(a.line, a.column)
                            < std::tie(b.line, b.column);
                   });
  result.diagnostics = std::move(ctx.diagnostics);
  if (result.diagnostics.empty())
    result.config = std::move(cfg);
  return result;
}

load_result load_file(const std::string& path, const env_lookup& env) {
  load_result result;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    result.diagnostics.push_back(
      {"", 0, 0, "cannot read '" + path + "': " + std::strerror(errno)});
    return result;
  }
  if (!S_ISREG(st.st_mode)) {
    result.diagnostics.push_back(
      {"", 0, 0, "'" + path + "' is not a regular file"});
    return result;
  }
  if (static_cast<uint64_t>(st.st_size) > defaults::max_config_file_bytes) {
    result.diagnostics.push_back(
      {"", 0, 0,
       "'" + path + "' is " + std::to_string(st.st_size)
         + " bytes, more than the limit of "
         + std::to_string(defaults::max_config_file_bytes)
         + "; refusing to parse it"});
    return result;
  }
  std::ifstream in{path, std::ios::binary};
  std::string text(defaults::max_config_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return load_text(text, env);
}

caf::expected<engine_config> load(const std::string& path) {
  auto result = load_file(path);
  if (result.ok())
    return std::move(*result.config);
  std::string all;
  for (const auto& d : result.diagnostics) {
    if (!all.empty())
      all += "\n";
    all += to_string(d);
  }
  return caf::make_error(ec::invalid_config, path + ":\n" + all);
}

nlohmann::json to_json(const engine_config& x) {
  using nlohmann::json;
  auto secs = [](milliseconds d) {
    return d.count() / 1000.0;
  };
  auto names = [](const auto& xs) {
    json arr = json::array();
    for (auto v : xs)
      arr.push_back(to_string(v));
    return arr;
  };
  json windows = json::object();
  for (const auto& w : x.metrics_dashboard.aggregation_windows)
    windows[w.name] = w.length.count();
  json reports = json::object();
  for (const auto& [name, def] : x.report_scheduler.reports)
    reports[name] = {{"schedule", to_string(def.schedule)},
                     {"format", to_string(def.format)},
                     {"recipients", def.recipients},
                     {"enabled", def.enabled}};
  json retention = json::object();
  for (const auto& [table, age] : x.storage.retention)
    retention[table] = age.count();
  const auto& md = x.metrics_dashboard;
  const auto& tr = x.advanced_tracer;
  const auto& cm = x.correlation_manager;
  const auto& ml = x.ml_monitor;
  const auto& rs = x.report_scheduler;
  const auto& ts = x.tracking_system;
  const auto& mi = x.monitoring_integration;
  const auto& st = x.storage;
  return json{
    {"enabled", x.enabled},
    {"metrics_dashboard",
     {{"update_interval", secs(md.update_interval)},
      {"max_metric_history", md.max_metric_history},
      {"enable_real_time_updates", md.enable_real_time_updates},
      {"enable_websocket_broadcast", md.enable_websocket_broadcast},
      {"max_series_per_metric", md.max_series_per_metric},
      {"trading_starting_capital", md.trading_starting_capital},
      {"trading_periods_per_year", md.trading_periods_per_year},
      {"max_trades", md.max_trades},
      {"aggregation_windows", windows}}},
    {"advanced_tracer",
     {{"enable_tracing", tr.enable_tracing},
      {"correlation_id_header", tr.correlation_id_header},
      {"trace_sampling_rate", tr.trace_sampling_rate},
      {"max_trace_history", tr.max_trace_history},
      {"enable_performance_tracing", tr.enable_performance_tracing},
      {"enable_error_tracing", tr.enable_error_tracing},
      {"component_types", names(tr.component_types)},
      {"slow_span_threshold", secs(tr.slow_span_threshold)},
      {"thread_buffer_spans", tr.thread_buffer_spans},
      {"drain_interval", secs(tr.drain_interval)},
      {"max_spans_per_trace", tr.max_spans_per_trace}}},
    {"correlation_manager",
     {{"enable_correlation_tracking", cm.enable_correlation_tracking},
      {"correlation_timeout", secs(cm.correlation_timeout)},
      {"max_correlation_history", cm.max_correlation_history},
      {"enable_performance_analysis", cm.enable_performance_analysis},
      {"enable_debug_aggregation", cm.enable_debug_aggregation}}},
    {"ml_monitor",
     {{"enable_online_learning", ml.enable_online_learning},
      {"drift_detection_enabled", ml.drift_detection_enabled},
      {"feature_importance_tracking", ml.feature_importance_tracking},
      {"auto_retraining_enabled", ml.auto_retraining_enabled},
      {"drift_threshold", ml.drift_threshold},
      {"drift_check_interval", secs(ml.drift_check_interval)},
      {"performance_check_interval", secs(ml.performance_check_interval)},
      {"feature_analysis_interval", secs(ml.feature_analysis_interval)},
      {"drift_detection_methods", names(ml.drift_detection_methods)},
      {"auto_retraining_triggers",
       {{"critical_drift_threshold",
         ml.auto_retraining_triggers.critical_drift_threshold},
        {"performance_degradation_threshold",
         ml.auto_retraining_triggers.performance_degradation_threshold},
        {"consecutive_failures",
         ml.auto_retraining_triggers.consecutive_failures}}},
      {"reference_window", ml.reference_window},
      {"current_window", ml.current_window},
      {"current_max_age", secs(ml.current_max_age)},
      {"min_samples", ml.min_samples},
      {"significance", ml.significance},
      {"alert_pending", secs(ml.alert_pending)},
      {"alert_keep", secs(ml.alert_keep)},
      {"retrain_cooldown", secs(ml.retrain_cooldown)},
      {"max_pending_labels", ml.max_pending_labels},
      {"performance_window", ml.performance_window},
      {"max_alert_history", ml.max_alert_history},
      {"feature_methods", ml.feature_methods},
      {"adwin_delta", ml.adwin_delta},
      {"page_hinkley_delta", ml.page_hinkley_delta},
      {"page_hinkley_lambda", ml.page_hinkley_lambda},
      {"page_hinkley_alpha", ml.page_hinkley_alpha},
      {"page_hinkley_min_instances", ml.page_hinkley_min_instances},
      {"ddm_warm_start", ml.ddm_warm_start},
      {"ddm_warning", ml.ddm_warning},
      {"ddm_drift", ml.ddm_drift}}},
    {"report_scheduler",
     {{"enable_automated_reports", rs.enable_automated_reports},
      {"default_schedule", to_string(rs.default_schedule)},
      {"email_distribution", rs.email_distribution},
      {"report_formats", names(rs.report_formats)},
      {"default_recipients", rs.default_recipients},
      {"reports", reports},
      {"email",
       {{"smtp_server", rs.email.smtp_server},
        {"smtp_port", rs.email.smtp_port},
        {"username", rs.email.username},
        {"password", to_string(rs.email.password)},
        {"use_tls", rs.email.use_tls},
        {"from_address", rs.email.from_address},
        {"reply_to", rs.email.reply_to}}}}},
    {"tracking_system",
     {{"enable_correlation_tracking", ts.enable_correlation_tracking},
      {"enable_ensemble_tracking", ts.enable_ensemble_tracking},
      {"enable_regime_tracking", ts.enable_regime_tracking},
      {"enable_decision_path_tracking", ts.enable_decision_path_tracking},
      {"max_tracking_history", ts.max_tracking_history},
      {"correlation_update_interval", secs(ts.correlation_update_interval)},
      {"ensemble_update_interval", secs(ts.ensemble_update_interval)},
      {"regime_update_interval", secs(ts.regime_update_interval)},
      {"decision_update_interval", secs(ts.decision_update_interval)},
      {"ensemble_tracking",
       {{"track_individual_predictions",
         ts.ensemble_tracking.track_individual_predictions},
        {"track_ensemble_weights", ts.ensemble_tracking.track_ensemble_weights},
        {"track_meta_learner", ts.ensemble_tracking.track_meta_learner},
        {"track_confidence_scores",
         ts.ensemble_tracking.track_confidence_scores}}},
      {"regime_tracking",
       {{"track_regime_probabilities",
         ts.regime_tracking.track_regime_probabilities},
        {"track_regime_features", ts.regime_tracking.track_regime_features},
        {"track_regime_indicators", ts.regime_tracking.track_regime_indicators},
        {"track_regime_transitions",
         ts.regime_tracking.track_regime_transitions},
        {"track_regime_duration", ts.regime_tracking.track_regime_duration}}},
      {"feature_tracking",
       {{"track_importance_scores",
         ts.feature_tracking.track_importance_scores},
        {"track_stability_scores", ts.feature_tracking.track_stability_scores},
        {"track_drift_scores", ts.feature_tracking.track_drift_scores},
        {"track_rankings", ts.feature_tracking.track_rankings}}}}},
    {"monitoring_integration",
     {{"enable_unified_monitoring", mi.enable_unified_monitoring},
      {"enable_cross_component_tracking", mi.enable_cross_component_tracking},
      {"enable_performance_correlation", mi.enable_performance_correlation},
      {"max_restarts", mi.max_restarts},
      {"restart_window", secs(mi.restart_window)},
      {"restart_backoff_initial", secs(mi.restart_backoff_initial)},
      {"restart_backoff_max", secs(mi.restart_backoff_max)},
      {"shutdown_timeout", secs(mi.shutdown_timeout)}}},
    {"storage",
     {{"path", st.path},
      {"synchronous", to_string(st.synchronous)},
      {"batch_max_rows", st.batch_max_rows},
      {"batch_interval", secs(st.batch_interval)},
      {"max_pending_rows", st.max_pending_rows},
      {"busy_timeout", secs(st.busy_timeout)},
      {"max_size_mb", st.max_size_mb},
      {"retention", retention},
      {"retention_interval", secs(st.retention_interval)},
      {"retention_batch_rows", st.retention_batch_rows}}},
    {"runtime",
     {{"threads", x.runtime.threads},
      {"log_level", x.runtime.log_level},
      {"client_queue_capacity", x.runtime.client_queue_capacity},
      {"dedicated_threads", x.runtime.dedicated_threads}}},
  };
}

} // namespace argus::config
