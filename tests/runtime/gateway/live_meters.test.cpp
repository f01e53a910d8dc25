#include "runtime/gateway/live_meters.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

using namespace argus;

namespace {

/// Each `argus_live_*` series as `name{label=value}` → its value.
std::map<std::string, double> live_series(const runtime::client& c) {
  std::map<std::string, double> out;
  c.metrics().for_each([&](const auto& s) {
    if (s.name.rfind("argus_live_", 0) != 0)
      return;
    auto key = s.name;
    for (const auto& [k, v] : s.labels)
      key += "{" + k + "=" + v + "}";
    if (s.counter)
      out[key] = static_cast<double>(s.counter->value());
    if (s.gauge)
      out[key] = s.gauge->value();
  });
  return out;
}

} // namespace

TEST_CASE("live meters add what the gateway's totals grew by since the last "
          "sample, and never count a total twice") {
  auto core = std::make_shared<runtime::detail::ingress>(16);
  runtime::client client{core};
  gateway::live_meters meters{client};
  std::map<std::string, uint64_t> totals{
    {"live_published_traces", 40}, {"live_published_metrics", 3},
    {"live_dropped", 7},           {"live_closed_slow", 1},
    {"websockets_timed_out", 2},   {"websockets_too_big", 0},
    {"live_connections", 5},       {"unrelated", 99}};
  meters.sample(totals);
  auto s = live_series(client);
  CHECK(s["argus_live_messages_total{topic=traces}"] == 40);
  CHECK(s["argus_live_messages_total{topic=metrics}"] == 3);
  CHECK(s["argus_live_messages_total{topic=alerts}"] == 0);
  CHECK(s["argus_live_dropped_total"] == 7);
  CHECK(s["argus_live_closed_total{reason=slow}"] == 1);
  CHECK(s["argus_live_closed_total{reason=heartbeat}"] == 2);
  CHECK(s["argus_live_closed_total{reason=too_big}"] == 0);
  CHECK(s["argus_live_connections"] == 5);
  // The same totals again: nothing new.
  meters.sample(totals);
  CHECK(live_series(client)["argus_live_messages_total{topic=traces}"] == 40);
  totals["live_published_traces"] = 55;
  totals["live_dropped"] = 9;
  totals["live_connections"] = 2;
  meters.sample(totals);
  s = live_series(client);
  CHECK(s["argus_live_messages_total{topic=traces}"] == 55);
  CHECK(s["argus_live_dropped_total"] == 9);
  CHECK(s["argus_live_connections"] == 2);
}
