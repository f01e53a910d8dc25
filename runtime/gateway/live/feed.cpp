#include "runtime/gateway/live/feed.hpp"

#include "actors/ml_monitor/alerts.hpp"
#include "actors/ml_monitor/ml_monitor.hpp"
#include "messages/json_text.hpp"

#include <map>

namespace argus::gateway::live {

namespace {

using nlohmann::json;

/// Publishes `body` (an object) on `t` with its envelope. The seq goes in
/// when the hub numbers it; everything else is built before, outside the
/// hub's lock.
uint64_t publish_json(hub& h, topic t, const char* type,
                      const correlation_id& corr, json body,
                      const message_facts& facts) {
  json head{{"type", type}, {"topic", to_string(t)}, {"seq", 0}};
  if (!corr.empty())
    head["corr"] = corr.str();
  for (auto& [k, v] : body.items())
    head[k] = std::move(v);
  return h.publish(t, facts, [&](uint64_t seq) {
    head["seq"] = seq;
    return dump_json(head);
  });
}

const char* type_of_change(alert_change c) {
  return c == alert_change::none ? "changed" : to_string(c);
}

} // namespace

uint64_t publish(hub& h, const metrics_view& x) {
  if (x.kind != metrics_view_kind::dashboard || x.body.empty())
    return 0;
  return h.publish(topic::metrics, {}, [&](uint64_t seq) {
    return render_metrics(x, seq);
  });
}

std::string render_metrics(const metrics_view& x, uint64_t seq) {
  std::string msg = R"({"type":"metrics","topic":"metrics","seq":)";
  msg += std::to_string(seq);
  msg += R"(,"dashboard":)";
  msg += x.body.empty() ? std::string{"null"} : x.body;
  msg += '}';
  return msg;
}

uint64_t publish(hub& h, const request_summary& x) {
  // Requests come at the bot's rate: none is rendered for nobody (a
  // snapshot of one request says nothing; its seq is not taken either).
  if (!h.wanted(topic::traces))
    return 0;
  message_facts f;
  component_type c;
  if (parse_component_type(x.component, c))
    f.component = c;
  f.duration_ns = x.duration_ns;
  f.error = x.status == "failed" || x.error_spans > 0;
  json body{{"operation", x.operation},
            {"status", x.status},
            {"path", x.path},
            {"component", x.component},
            {"started_ns", x.started_ns},
            {"finished_ns", x.finished_ns},
            {"duration_ns", x.duration_ns},
            {"spans", x.spans},
            {"error_spans", x.error_spans},
            {"revision", x.revision}};
  if (!x.error_type.empty() || !x.error_message.empty())
    body["error"] = {{"type", x.error_type}, {"message", x.error_message}};
  return publish_json(h, topic::traces, "request", x.hdr.corr, std::move(body),
                      f);
}

uint64_t publish(hub& h, const drift_alert& x) {
  auto change = change_of(x);
  message_facts f;
  f.level = x.level;
  // A resolution carries no level of its own; a client watching one level
  // still hears that its alert cleared.
  f.notice = change == alert_change::resolved;
  f.model = x.model.model_id;
  auto body = to_json(x);
  body["change"] = type_of_change(change);
  return publish_json(h, topic::alerts, "drift_alert", x.hdr.corr,
                      std::move(body), f);
}

uint64_t publish(hub& h, const retrain_requested& x) {
  message_facts f;
  f.notice = true;
  f.model = x.model.model_id;
  json body{{"model_id", x.model.model_id},
            {"model_version", x.model.version},
            {"trigger", x.trigger},
            {"reason", x.reason},
            {"time_ns", x.time_ns}};
  return publish_json(h, topic::alerts, "retrain_requested", x.hdr.corr,
                      std::move(body), f);
}

uint64_t publish(hub& h, const regime_changed& x) {
  message_facts f;
  f.kind = to_string(tracking_view_kind::regimes);
  json body{{"kind", f.kind},
            {"from", x.from},
            {"to", x.to},
            {"previous_duration_s", x.previous_duration_s},
            {"confidence", x.confidence},
            {"time_ns", x.time_ns}};
  return publish_json(h, topic::tracking, "regime_changed", x.hdr.corr,
                      std::move(body), f);
}

uint64_t publish(hub& h, const feature_rank_changed& x) {
  message_facts f;
  f.kind = to_string(tracking_view_kind::features);
  f.model = x.model_id;
  json body{{"kind", f.kind},       {"model_id", x.model_id},
            {"feature", x.feature}, {"from_rank", x.from_rank},
            {"to_rank", x.to_rank}, {"importance", x.importance},
            {"time_ns", x.time_ns}};
  return publish_json(h, topic::tracking, "feature_rank_changed", x.hdr.corr,
                      std::move(body), f);
}

uint64_t publish(hub& h, const tracking_view& x) {
  message_facts f;
  f.kind = to_string(x.kind);
  // The tracker's own text, inserted whole: it is valid JSON by
  // construction (the tracker dumps it), and a view can be large.
  std::string head = R"({"type":"tracking_view","topic":"tracking","seq":)";
  std::string tail = R"(,"kind":")";
  tail += f.kind;
  tail += R"(","view":)";
  tail += x.body.empty() ? std::string{"null"} : x.body;
  tail += '}';
  return h.publish(topic::tracking, f, [&](uint64_t seq) {
    return head + std::to_string(seq) + tail;
  });
}

void publish(hub& h, const integration_status& now,
             const std::optional<integration_status>& before) {
  std::map<std::string, const component_status*> old;
  if (before)
    for (const auto& c : before->components)
      old.emplace(c.id, &c);
  for (const auto& c : now.components) {
    auto it = old.find(c.id);
    const component_status* was = it == old.end() ? nullptr : it->second;
    if (was && was->state == c.state && was->restarts == c.restarts)
      continue;
    json body{{"id", c.id},
              {"state", to_string(c.state)},
              {"restarts", c.restarts},
              {"last_error", c.last_error},
              {"time_ns", now.time_ns}};
    if (was)
      body["was"] = to_string(was->state);
    publish_json(h, topic::status, "component", correlation_id{},
                 std::move(body), {});
  }
  publish_json(h, topic::status, "status", correlation_id{}, to_json(now), {});
}

json to_json(const integration_status& st) {
  json components = json::array();
  for (const auto& c : st.components)
    components.push_back({{"id", c.id},
                          {"state", to_string(c.state)},
                          {"started_at_ns", c.started_at_ns},
                          {"restarts", c.restarts},
                          {"last_error", c.last_error},
                          {"mailbox_size", c.mailbox_size},
                          {"counters", c.counters}});
  return {{"time_ns", st.time_ns},
          {"components", std::move(components)},
          {"counters", st.counters}};
}

} // namespace argus::gateway::live
