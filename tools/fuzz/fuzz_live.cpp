// libFuzzer harness: a hostile WebSocket client message through what `/ws`
// does with it: read as a request (subscribe, unsubscribe, snapshot, with
// filters), applied to a live connection, then every kind of message the
// engine publishes offered to it. Never crashes, never throws; a refusal
// says why; what the connection receives is exactly what its filter wants.

#include "runtime/gateway/live/feed.hpp"
#include "runtime/gateway/live/hub.hpp"
#include "runtime/gateway/live/subscriptions.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace argus;
  using namespace argus::gateway::live;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  std::string error;
  auto r = parse_request(text, error);
  if (!r) {
    if (error.empty())
      std::abort(); // a refusal always says why
    return 0;
  }
  if (r->id.size() > 64)
    std::abort();
  hub h;
  auto c = h.attach({}, {});
  if (r->what == request::op::subscribe)
    c->subscribe(r->on, r->with);
  else if (r->what == request::op::unsubscribe)
    c->unsubscribe(r->on);
  // One message of every kind, failed and slow, on every topic.
  request_summary req;
  req.hdr.corr = *correlation_id::parse("fuzz_1");
  req.status = "failed";
  req.component = "exchange";
  req.duration_ns = 7'000'000;
  publish(h, req);
  drift_alert a;
  a.model = {"m1", "v1"};
  a.level = severity::high;
  a.message = "fired: x";
  publish(h, a);
  publish(h, retrain_requested{});
  publish(h, regime_changed{});
  publish(h, feature_rank_changed{});
  tracking_view v;
  v.body = "{}";
  publish(h, v);
  integration_status st;
  st.components.resize(1);
  publish(h, st, std::nullopt);
  size_t got = 0;
  while (auto f = c->take()) {
    auto j = nlohmann::json::parse(*f->text, nullptr, false);
    if (j.is_discarded() || !j.contains("seq") || !j.contains("type"))
      std::abort(); // every message is JSON with its envelope
    auto t = parse_topic(j.value("topic", std::string{}));
    if (!t || r->what != request::op::subscribe || *t != r->on)
      std::abort(); // only the topic subscribed to
    ++got;
  }
  if (r->what != request::op::subscribe && got != 0)
    std::abort();
  return 0;
}
