#include "runtime/gateway/live_meters.hpp"

#include "runtime/gateway/live/subscriptions.hpp"

namespace argus::gateway {

live_meters::live_meters(runtime::client c) {
  auto add = [&](std::string total, const char* name, metric_labels labels) {
    counters_.push_back({std::move(total), c.counter(name, labels), 0});
  };
  for (size_t i = 0; i < live::topic_count; ++i) {
    auto t = live::to_string(static_cast<live::topic>(i));
    add(std::string{"live_published_"} + t, "argus_live_messages_total",
        {{"topic", t}});
  }
  add("live_dropped", "argus_live_dropped_total", {});
  add("live_closed_slow", "argus_live_closed_total", {{"reason", "slow"}});
  add("websockets_timed_out", "argus_live_closed_total",
      {{"reason", "heartbeat"}});
  add("websockets_too_big", "argus_live_closed_total", {{"reason", "too_big"}});
  connections_ = c.gauge("argus_live_connections", {});
}

void live_meters::sample(
  const std::map<std::string, uint64_t>& gateway_counters) noexcept {
  for (auto& t : counters_) {
    auto it = gateway_counters.find(t.total);
    if (it == gateway_counters.end() || it->second < t.seen)
      continue;
    t.counter.inc(it->second - t.seen);
    t.seen = it->second;
  }
  if (auto it = gateway_counters.find("live_connections");
      it != gateway_counters.end())
    connections_.set(static_cast<double>(it->second));
}

} // namespace argus::gateway
