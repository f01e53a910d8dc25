#include "runtime/gateway/live/subscriptions.hpp"

#include "messages/utf8.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace argus::gateway::live {

namespace {

using nlohmann::json;

constexpr const char* topic_names[topic_count]
  = {"metrics", "traces", "alerts", "tracking", "status"};

constexpr const char* tracking_kinds[]
  = {"regimes", "features", "ensembles", "decisions"};

/// Strings in filters and ids: bounded, so a client cannot make the server
/// keep much per subscription.
constexpr size_t max_text = 128;
constexpr size_t max_list = 64;
/// A request is small; bounding it bounds the parse (and its nesting).
constexpr size_t max_request_bytes = 4096;

bool read_text(const json& j, const char* field, std::string& out,
               std::string& error) {
  if (!j.is_string()) {
    error = std::string{field} + ": a string is required";
    return false;
  }
  const auto& s = j.get_ref<const std::string&>();
  if (s.size() > max_text) {
    error
      = std::string{field} + ": at most " + std::to_string(max_text) + " bytes";
    return false;
  }
  out = s;
  return true;
}

bool read_list(const json& j, const char* field, std::vector<std::string>& out,
               std::string& error) {
  if (j.is_string()) {
    out.clear();
    out.emplace_back();
    return read_text(j, field, out.back(), error);
  }
  if (!j.is_array() || j.size() > max_list) {
    error = std::string{field} + ": a string or a list of at most "
            + std::to_string(max_list) + " strings is required";
    return false;
  }
  out.clear();
  for (const auto& x : j) {
    out.emplace_back();
    if (!read_text(x, field, out.back(), error))
      return false;
  }
  return true;
}

/// Reads `f`'s fields for `t`; a field another topic has is an error, so a
/// typo does not silently match everything.
bool read_filter(topic t, const json& j, filter& f, std::string& error) {
  if (!j.is_object()) {
    error = "filter: an object is required";
    return false;
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto& key = it.key();
    const auto& value = it.value();
    auto unknown = [&] {
      error = "filter." + key + ": not a filter of topic "
              + std::string{to_string(t)};
      return false;
    };
    if (t == topic::traces && key == "component") {
      std::string name;
      component_type c;
      if (!read_text(value, "filter.component", name, error))
        return false;
      if (!parse_component_type(name, c)) {
        error = "filter.component: no component is called '" + name + "'";
        return false;
      }
      f.component = c;
    } else if (t == topic::traces && key == "min_duration_ms") {
      if (!value.is_number() || !std::isfinite(value.get<double>())
          || value.get<double>() < 0 || value.get<double>() > 86'400'000) {
        error = "filter.min_duration_ms: a number of milliseconds from 0 to "
                "86400000 is required";
        return false;
      }
      f.min_duration_ns = static_cast<int64_t>(value.get<double>() * 1e6);
    } else if (t == topic::traces && key == "errors_only") {
      if (!value.is_boolean()) {
        error = "filter.errors_only: true or false is required";
        return false;
      }
      f.errors_only = value.get<bool>();
    } else if (t == topic::alerts && key == "severity") {
      std::string name;
      if (!read_text(value, "filter.severity", name, error))
        return false;
      if (!parse_severity(name, f.min_level)) {
        error = "filter.severity: one of low, medium, high, critical";
        return false;
      }
    } else if (t == topic::alerts && key == "model") {
      if (!read_text(value, "filter.model", f.model, error))
        return false;
    } else if (t == topic::tracking && key == "kind") {
      if (!read_list(value, "filter.kind", f.kinds, error))
        return false;
      for (const auto& k : f.kinds)
        if (std::find(std::begin(tracking_kinds), std::end(tracking_kinds), k)
            == std::end(tracking_kinds)) {
          error = "filter.kind: '" + k
                  + "' is not one of regimes, features, ensembles, decisions";
          return false;
        }
    } else if (t == topic::metrics && key == "series") {
      if (!read_list(value, "filter.series", f.series, error))
        return false;
    } else {
      return unknown();
    }
  }
  return true;
}

} // namespace

const char* to_string(topic x) {
  return topic_names[static_cast<size_t>(x)];
}

std::optional<topic> parse_topic(std::string_view name) {
  for (size_t i = 0; i < topic_count; ++i)
    if (name == topic_names[i])
      return static_cast<topic>(i);
  return std::nullopt;
}

bool filter::matches(const message_facts& m) const {
  if (component && m.component != component)
    return false;
  if (m.duration_ns < min_duration_ns)
    return false;
  if (errors_only && !m.error)
    return false;
  if (min_level != severity::none && m.level < min_level && !m.notice)
    return false;
  if (!model.empty() && m.model != model)
    return false;
  if (!kinds.empty()
      && std::find(kinds.begin(), kinds.end(), m.kind) == kinds.end())
    return false;
  if (!series.empty() && !m.series.empty()
      && std::find(series.begin(), series.end(), m.series) == series.end())
    return false;
  return true;
}

void subscriptions::subscribe(topic t, filter f) {
  by_topic_[static_cast<size_t>(t)] = std::move(f);
}

bool subscriptions::unsubscribe(topic t) {
  auto& slot = by_topic_[static_cast<size_t>(t)];
  bool had = slot.has_value();
  slot.reset();
  return had;
}

bool subscriptions::has(topic t) const {
  return by_topic_[static_cast<size_t>(t)].has_value();
}

const filter* subscriptions::of(topic t) const {
  const auto& slot = by_topic_[static_cast<size_t>(t)];
  return slot ? &*slot : nullptr;
}

bool subscriptions::wants(topic t, const message_facts& facts) const {
  auto f = of(t);
  return f && f->matches(facts);
}

std::optional<request> parse_request(std::string_view text,
                                     std::string& error) {
  if (text.size() > max_request_bytes) {
    error
      = "a request is at most " + std::to_string(max_request_bytes) + " bytes";
    return std::nullopt;
  }
  if (first_invalid_utf8(text)) {
    error = "the message is not valid UTF-8";
    return std::nullopt;
  }
  auto j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) {
    error = "the message is not JSON";
    return std::nullopt;
  }
  if (!j.is_object()) {
    error = "the message must be a JSON object with an 'op'";
    return std::nullopt;
  }
  request r;
  if (auto id = j.find("id"); id != j.end()) {
    if (!id->is_string() || id->get_ref<const std::string&>().size() > 64) {
      error = "id: a string of at most 64 bytes is required";
      return std::nullopt;
    }
    r.id = id->get<std::string>();
  }
  auto op = j.find("op");
  if (op == j.end() || !op->is_string()) {
    error = "op: one of subscribe, unsubscribe, snapshot is required";
    return std::nullopt;
  }
  const auto& what = op->get_ref<const std::string&>();
  if (what == "subscribe")
    r.what = request::op::subscribe;
  else if (what == "unsubscribe")
    r.what = request::op::unsubscribe;
  else if (what == "snapshot")
    r.what = request::op::snapshot;
  else {
    error = "op: '" + what.substr(0, max_text)
            + "' is not one of subscribe, unsubscribe, snapshot";
    return std::nullopt;
  }
  auto t = j.find("topic");
  if (t == j.end() || !t->is_string()) {
    error = "topic: one of metrics, traces, alerts, tracking, status is "
            "required";
    return std::nullopt;
  }
  auto parsed = parse_topic(t->get_ref<const std::string&>());
  if (!parsed) {
    error = "topic: '" + t->get_ref<const std::string&>().substr(0, max_text)
            + "' is not one of metrics, traces, alerts, tracking, status";
    return std::nullopt;
  }
  r.on = *parsed;
  if (auto f = j.find("filter"); f != j.end()) {
    if (r.what != request::op::subscribe) {
      error = "filter: only a subscribe takes one";
      return std::nullopt;
    }
    if (!read_filter(r.on, *f, r.with, error))
      return std::nullopt;
  }
  for (const auto& [key, _] : j.items())
    if (key != "op" && key != "topic" && key != "filter" && key != "id") {
      error = key.substr(0, max_text) + ": not a field of a request";
      return std::nullopt;
    }
  return r;
}

} // namespace argus::gateway::live
