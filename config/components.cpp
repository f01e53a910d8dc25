#include "config/components.hpp"

#include "actors/report_scheduler/schedule.hpp"

#include "config/fields.hpp"
#include "messages/storage.hpp"

#include <spdlog/common.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include <re2/re2.h>

namespace argus::config {

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

namespace {

/// Collects the issues of one tree, each key path under `prefix`.
struct checker {
  std::vector<config_issue>& issues;
  std::string prefix;

  void fail(const std::string& key, std::string message) const {
    issues.push_back({prefix + key, std::move(message)});
  }

  static std::string fmt(double x) {
    // Shortest readable form: "1.5", "1e+09", not "1.500000".
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", x);
    return buf;
  }

  // -- one rule on one value --------------------------------------------------

  void check(const std::string& key, milliseconds x, positive) const {
    if (x.count() <= 0)
      fail(key, "must be a positive duration, got " + std::to_string(x.count())
                  + " ms");
  }

  void check(const std::string& key, double x, positive) const {
    if (!(x > 0))
      fail(key, "must be positive");
  }

  template <class Int>
  std::enable_if_t<std::is_integral_v<Int>> check(const std::string& key, Int x,
                                                  positive) const {
    if (x == 0)
      fail(key, "must be positive, got 0");
  }

  template <class Number>
  void check(const std::string& key, Number x, within w) const {
    auto d = static_cast<double>(x);
    if (!std::isfinite(d) || d < w.lo || d > w.hi)
      fail(key, "must be within [" + fmt(w.lo) + ", " + fmt(w.hi) + "], got "
                  + fmt(d));
  }

  void check(const std::string& key, size_t x, at_most m) const {
    if (x > m.max)
      fail(key, "must be within [0, " + std::to_string(m.max) + "], got "
                  + std::to_string(x));
  }

  void check(const std::string& key, const std::vector<std::string>& xs,
             re2_patterns) const {
    for (size_t i = 0; i < xs.size(); ++i) {
      RE2 pattern{xs[i], RE2::Quiet};
      if (!pattern.ok())
        fail(key + "[" + std::to_string(i) + "]",
             "is not a valid RE2 pattern: " + pattern.error());
      else if (RE2::FullMatch("", pattern))
        fail(key + "[" + std::to_string(i) + "]",
             "matches empty text; it would redact between every character");
    }
  }

  void check(const std::string& key, const std::string& x, non_empty) const {
    if (x.empty())
      fail(key, "must not be empty");
  }

  template <class T>
  void check(const std::string& key, const std::vector<T>& x, non_empty) const {
    if (x.empty())
      fail(key, "needs at least one value");
  }

  void check(const std::string& key, const std::string& x, header_name) const {
    if (x.empty()) {
      fail(key, "must not be empty");
      return;
    }
    for (auto ch : x)
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-'
            || ch == '_')) {
        fail(key, "is not a valid HTTP header name: '" + x + "'");
        return;
      }
  }

  void check(const std::string& key, const std::string& x,
             email_address e) const {
    if (e.optional && x.empty())
      return;
    if (!valid_email_address(x))
      fail(key, "is not an e-mail address: '" + x + "'");
  }

  void check(const std::string& key, const std::vector<std::string>& xs,
             email_address e) const {
    for (size_t i = 0; i < xs.size(); ++i)
      check(key + "[" + std::to_string(i) + "]", xs[i], e);
  }

  void check(const std::string& key, const std::string& x,
             log_level_name) const {
    if (!valid_log_level(x))
      fail(key, "must be one of trace, debug, info, warn, error, critical, "
                "off; got '"
                  + x + "'");
  }

  void check(const std::string& key, const std::string& x, one_of o) const {
    for (const char* n : o.names)
      if (x == n)
        return;
    std::string choices;
    for (const char* n : o.names)
      choices += std::string{choices.empty() ? "" : ", "} + n;
    fail(key, "must be one of " + choices + "; got '" + x + "'");
  }

  void check(const std::string& key,
             const std::map<std::string, std::string>& xs, one_of o) const {
    for (const auto& [name, value] : xs)
      if (std::find_if(o.names.begin(), o.names.end(),
                       [&value = value](const char* n) {
                         return value == n;
                       })
          == o.names.end()) {
        std::string choices;
        for (const char* n : o.names)
          choices += std::string{choices.empty() ? "" : ", "} + n;
        fail(key + "." + name,
             "unknown method '" + value + "'; expected one of " + choices);
      }
  }

  void check(const std::string& key,
             const std::map<std::string, std::chrono::seconds>& xs,
             table_names) const {
    for (const auto& [table, age] : xs) {
      table_id id{};
      if (!parse_enum(table, id))
        fail(key + "." + table, "unknown table '" + table
                                  + "'; expected one of "
                                  + enum_choices<table_id>());
    }
  }

  void check(const std::string& key,
             const std::map<std::string, std::chrono::seconds>& xs,
             positive) const {
    for (const auto& [table, age] : xs)
      if (age.count() <= 0)
        fail(key + "." + table, "must be a positive duration");
  }

  // -- what every value of a type obeys --------------------------------------

  void check_type(const std::string& key,
                  const std::vector<aggregation_window>& xs) const {
    if (xs.empty())
      fail(key, "needs at least one window");
    std::set<std::string> names;
    for (const auto& w : xs) {
      if (w.length.count() <= 0)
        fail(key + "." + w.name, "must be a positive number of seconds");
      if (!names.insert(w.name).second)
        fail(key + "." + w.name, "is defined twice");
    }
  }

  template <class T>
  void check_type(const std::string&, const T&) const {
  }
};

// -- rules across fields of one section ---------------------------------------

template <class T>
void check_rules(const checker&, const T&) {
}

void check_rules(const checker& c, const ml_monitor_config& x) {
  if (!(x.ddm_warning > 0 && x.ddm_drift > x.ddm_warning
        && std::isfinite(x.ddm_drift)))
    c.fail("ddm_drift", "must be above ddm_warning, both positive and finite");
  // ADWIN's bound takes ln(1 / delta).
  if (!(x.adwin_delta > 0 && x.adwin_delta < 1))
    c.fail("adwin_delta",
           "must be within (0, 1), got " + checker::fmt(x.adwin_delta));
  if (!(x.page_hinkley_alpha > 0))
    c.fail("page_hinkley_alpha", "must be within (0, 1], got 0");
  if (x.auto_retraining_triggers.critical_drift_threshold < x.drift_threshold)
    c.fail("auto_retraining_triggers.critical_drift_threshold",
           "must not be below drift_threshold ("
             + checker::fmt(x.drift_threshold) + ")");
}

void check_rules(const checker& c, const report_scheduler_config& x) {
  std::string error;
  if (!report_scheduler::schedule_from_words(x.default_schedule, "06:00",
                                             "monday", 1, x.time_zone, error))
    c.fail(error.find("zone") != std::string::npos ? "time_zone"
                                                     : "default_schedule",
           error);
  for (const auto& [name, r] : x.reports) {
    const auto& type = r.type.empty() ? name : r.type;
    if (std::find(std::begin(report_type_names), std::end(report_type_names),
                  type)
        == std::end(report_type_names))
      c.fail("reports." + name + (r.type.empty() ? "" : ".type"),
             "'" + type + "' is not a report type; expected one of "
               "performance_summary, model_analysis, risk_assessment, "
               "executive_summary (or name one in `type`)");
    error.clear();
    if (!report_scheduler::schedule_from_words(
          r.schedule, r.at, r.weekday, static_cast<unsigned>(r.day_of_month),
          r.time_zone.empty() ? x.time_zone : r.time_zone, error)) {
      const char* key = "schedule";
      if (error.find("zone") != std::string::npos)
        key = "time_zone";
      else if (error.find("time of day") != std::string::npos)
        key = "at";
      c.fail("reports." + name + "." + key, error);
    }
  }
}

void check_rules(const checker& c, const supervisor_config& x) {
  if (x.restart_backoff_max < x.restart_backoff_initial)
    c.fail("restart_backoff_max", "must not be below restart_backoff_initial");
}

void check_rules(const checker& c, const storage_config& x) {
  if (x.max_pending_rows < x.batch_max_rows)
    c.fail("max_pending_rows", "must be at least batch_max_rows ("
                                 + std::to_string(x.batch_max_rows) + ")");
}

void check_rules(const checker& c, const gateway_config& x) {
  if (x.tls_certificate.empty() != x.tls_key.empty())
    c.fail(x.tls_key.empty() ? "tls_key" : "tls_certificate",
           "tls_certificate and tls_key go together");
  if (!is_loopback_address(x.address) && x.tls_certificate.empty()
      && !x.allow_insecure_remote)
    c.fail("address", "'" + x.address
                        + "' is not a loopback address: the API would be "
                          "reachable without TLS (set allow_insecure_remote "
                          "to accept that)");
  for (const auto& [name, t] : x.tokens) {
    if (t.token.empty())
      c.fail("tokens." + name + ".token", "must not be empty");
    else if (t.token.reveal().size() < 16)
      c.fail("tokens." + name + ".token",
             "must be at least 16 characters long");
  }
}

/// Walks a field table and checks every value against its rules.
struct check_fields {
  checker c;

  template <class T, class... Rules>
  void operator()(const char* key, const T& value, const Rules&... rules) {
    c.check_type(key, value);
    (check_rule(key, value, rules), ...);
  }

  template <class T>
  void section(const char* key, const T& nested) {
    check_fields inner{checker{c.issues, c.prefix + key + "."}};
    walk(inner, nested);
  }

  template <class T>
  static void walk(check_fields& v, const T& x) {
    fields(v, x);
    check_rules(v.c, x);
  }

private:
  template <class T, class Rule>
  void check_rule(const char* key, const T& value, const Rule& rule) {
    if constexpr (std::is_same_v<Rule, read_from_file>) {
      // Read only: the secret is checked under its own key.
    } else if constexpr (detail_is_entries<Rule>::value) {
      for (const auto& [name, entry] : value)
        section((std::string{key} + "." + name).c_str(), entry);
    } else {
      c.check(key, value, rule);
    }
  }

  template <class Rule>
  struct detail_is_entries : std::false_type {};
  template <class T>
  struct detail_is_entries<entries_from<T>> : std::true_type {};
};

template <class T>
std::vector<config_issue> validate_section(const T& x) {
  std::vector<config_issue> issues;
  check_fields v{checker{issues, ""}};
  check_fields::walk(v, x);
  return issues;
}

} // namespace

std::vector<config_issue> validate(const metrics_dashboard_config& x) {
  return validate_section(x);
}

std::vector<config_issue> validate(const tracer_config& x) {
  return validate_section(x);
}

std::vector<config_issue> validate(const correlation_manager_config& x) {
  return validate_section(x);
}

std::vector<config_issue> validate(const ml_monitor_config& x) {
  return validate_section(x);
}

std::vector<config_issue> validate(const report_scheduler_config& x) {
  return validate_section(x);
}

std::vector<config_issue> validate(const tracker_config& x) {
  return validate_section(x);
}

std::vector<config_issue> validate(const supervisor_config& x) {
  return validate_section(x);
}

std::vector<config_issue> validate(const storage_config& x) {
  return validate_section(x);
}

std::vector<config_issue> validate(const runtime_config& x) {
  return validate_section(x);
}

std::vector<config_issue> validate(const privacy_config& x) {
  return validate_section(x);
}

bool is_loopback_address(const std::string& address) {
  if (address == "::1" || address == "localhost")
    return true;
  // 127.0.0.0/8
  if (address.rfind("127.", 0) != 0)
    return false;
  int dots = 0;
  for (auto ch : address) {
    if (ch == '.')
      ++dots;
    else if (ch < '0' || ch > '9')
      return false;
  }
  return dots == 3;
}

std::vector<config_issue> validate(const gateway_config& x) {
  return validate_section(x);
}

std::vector<config_issue> validate(const engine_config& x) {
  std::vector<config_issue> issues;
  check_fields v{checker{issues, "monitoring."}};
  check_fields::walk(v, x);
  return issues;
}

} // namespace argus::config
