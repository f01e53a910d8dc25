#pragma once

// What a WebSocket client asked to see: topics, each with its filter, read
// from the client's JSON messages. Plain data and pure functions: the
// connection, the hub and the fuzz harness share them.

#include "messages/ml.hpp"
#include "messages/tracing.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace argus::gateway::live {

/// The topics of `/ws`.
enum class topic : uint8_t { metrics, traces, alerts, tracking, status };

inline constexpr size_t topic_count = 5;

/// @returns the topic's name on the wire, e.g. `"traces"`.
const char* to_string(topic x);
std::optional<topic> parse_topic(std::string_view name);

/// What a published message says about itself, for the filters to match.
/// Fields a topic does not have stay empty.
struct message_facts {
  /// traces: the component of the request's root span.
  std::optional<component_type> component;
  /// traces: the request's duration.
  int64_t duration_ns = 0;
  /// traces: it failed.
  bool error = false;
  /// alerts: the alert's level and model (tracking: the model of a
  /// feature ranking).
  severity level = severity::none;
  std::string model;
  /// alerts: not a level but news about one (a resolution, a retraining
  /// request): passes a `min_level` filter.
  bool notice = false;
  /// tracking: `regimes`, `features`, `ensembles` or `decisions`.
  std::string kind;
  /// metrics: the series names a snapshot carries (empty: all of them).
  std::string series;
};

/// One topic's filter; an empty field matches everything.
struct filter {
  /// traces
  std::optional<component_type> component;
  int64_t min_duration_ns = 0;
  bool errors_only = false;
  /// alerts: at or above this level.
  severity min_level = severity::none;
  std::string model;
  /// tracking
  std::vector<std::string> kinds;
  /// metrics: these series only.
  std::vector<std::string> series;

  bool matches(const message_facts& m) const;
};

/// A client's subscriptions: at most one filter per topic.
class subscriptions {
public:
  void subscribe(topic t, filter f);
  /// @returns whether `t` was subscribed.
  bool unsubscribe(topic t);
  bool has(topic t) const;
  /// @returns whether a message of `t` with `facts` goes to this client.
  bool wants(topic t, const message_facts& facts) const;
  /// @returns the filter of `t`, if subscribed.
  const filter* of(topic t) const;

private:
  std::array<std::optional<filter>, topic_count> by_topic_;
};

/// A client's message, read.
struct request {
  enum class op { subscribe, unsubscribe, snapshot } what = op::subscribe;
  topic on = topic::metrics;
  filter with;
  /// Echoed in the answer, so a client can match it (at most 64 chars).
  std::string id;
};

/// Reads one client message (`{"op":"subscribe","topic":"traces",
/// "filter":{"component":"exchange","min_duration_ms":5,"errors_only":true}}`).
/// @returns the request, or nothing with `error` saying what is wrong (the
///          field and why): never throws, whatever the bytes.
std::optional<request> parse_request(std::string_view text, std::string& error);

} // namespace argus::gateway::live
