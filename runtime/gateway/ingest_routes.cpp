// The API's ingest: events in the wire format as JSON, and OTLP/HTTP traces
// in the protobuf JSON mapping. Both go through the admission and
// backpressure of the msgpack wire (runtime/ingest/offer.hpp), so an event
// is held to the same rules whichever door it came through.

#include "actors/tracer/export.hpp"
#include "messages/admission.hpp"
#include "messages/codec.hpp"
#include "messages/error.hpp"
#include "messages/json_text.hpp"
#include "runtime/gateway/api.hpp"
#include "runtime/gateway/ingest.hpp"
#include "runtime/gateway/json_body.hpp"
#include "runtime/ingest/offer.hpp"

#include <caf/error.hpp>

#include <chrono>

#include <nlohmann/json.hpp>

namespace argus::gateway {

namespace {

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

/// What became of a batch's events.
struct batch_outcome {
  size_t accepted = 0;
  size_t dropped = 0;
  json rejected = json::array();
};

/// Offers `event` until taken or `deadline`.
bool hand_over(engine& eng, inbound_event& event,
               clock_type::time_point deadline) {
  runtime::mint_correlation_if_missing(eng.client(), event);
  return runtime::offer_until_taken(eng.client(), event,
                                    [deadline] {
                                      return clock_type::now() >= deadline;
                                    })
         == runtime::client::offer_result::accepted;
}

/// `argus_http_ingested_total{door,outcome}` of one door, resolved once.
class door_meter {
public:
  door_meter(runtime::client& c, const char* door)
      : accepted_(
        c.counter(ingested, {{"door", door}, {"outcome", "accepted"}})),
        dropped_(c.counter(ingested, {{"door", door}, {"outcome", "dropped"}})),
        rejected_(
          c.counter(ingested, {{"door", door}, {"outcome", "rejected"}})) {
  }

  void count(const batch_outcome& o) noexcept {
    accepted_.inc(o.accepted);
    dropped_.inc(o.dropped);
    rejected_.inc(o.rejected.size());
  }

private:
  static constexpr const char* ingested = "argus_http_ingested_total";
  runtime::counter_handle accepted_;
  runtime::counter_handle dropped_;
  runtime::counter_handle rejected_;
};

http_response post_events(engine& eng, door_meter& meter,
                          std::chrono::milliseconds timeout,
                          const request_context& ctx) {
  if (auto refused = refuse_media(ctx.req, ""))
    return *refused;
  bool durable = false;
  if (auto wait = ctx.query.get("wait")) {
    if (*wait != "durable")
      return problem(400, "Bad Request",
                     "wait: only 'durable' is known, got '" + *wait + "'");
    durable = true;
  }
  std::string not_a_batch;
  auto batch = read_event_batch(ctx.req.body, not_a_batch);
  if (!batch)
    return problem(400, "Bad Request", not_a_batch);
  auto deadline = clock_type::now() + timeout;
  batch_outcome out;
  for (size_t i = 0; i < batch->entries.size(); ++i) {
    const auto& entry = batch->entries[i];
    auto reject = [&](std::string why) {
      out.rejected.push_back({{"index", i}, {"reason", std::move(why)}});
    };
    if (!entry.defect.empty()) {
      reject(entry.defect);
      continue;
    }
    auto event = codec::decode_event(batch->envelope(entry));
    if (!event) {
      reject(eng.system().render(event.error()));
      continue;
    }
    if (std::holds_alternative<flush_requested>(*event)) {
      reject("flush_requested is not an event here: add ?wait=durable to "
             "answer after COMMIT");
      continue;
    }
    if (auto err = admit(*event)) {
      reject(eng.system().render(err));
      continue;
    }
    if (hand_over(eng, *event, deadline))
      ++out.accepted;
    else
      ++out.dropped;
  }
  meter.count(out);
  json body{{"accepted", out.accepted},
            {"rejected", out.rejected},
            {"dropped", out.dropped}};
  if (!durable)
    return json_response(dump_json(body), out.dropped > 0 ? 503 : 202);
  auto ack = eng.flush(timeout);
  if (!ack || out.dropped > 0) {
    body["durable"] = false;
    body["reason"] = ack ? std::string{"events dropped: the engine's queue "
                                       "stayed full"}
                         : eng.system().render(ack.error());
    return json_response(dump_json(body), 503);
  }
  body["durable"] = true;
  body["committed_rows"] = ack->committed_rows;
  return json_response(dump_json(body), 200);
}

http_response post_traces(engine& eng, door_meter& meter,
                          std::chrono::milliseconds timeout,
                          const request_context& ctx) {
  if (auto refused = refuse_media(
        ctx.req, " (set OTEL_EXPORTER_OTLP_PROTOCOL=http/json and no "
                 "compression)"))
    return *refused;
  http_response error;
  auto doc = parse_json_body(ctx.req, error);
  if (!doc)
    return error;
  auto imported = from_otlp_json(*doc);
  batch_outcome out;
  std::vector<std::string> reasons = imported.rejected;
  auto deadline = clock_type::now() + timeout;
  for (size_t i = 0; i < imported.spans.size(); ++i) {
    auto& s = imported.spans[i];
    if (auto defect = admit(s)) {
      reasons.push_back(imported.where[i] + ": " + describe(*defect, s));
      continue;
    }
    inbound_event event{std::move(s)};
    if (hand_over(eng, event, deadline))
      ++out.accepted;
    else
      ++out.dropped;
  }
  for (const auto& r : reasons)
    out.rejected.push_back(r);
  meter.count(out);
  if (out.accepted == 0 && out.dropped > 0)
    // The SDK retries a 503 within its timeout.
    return problem(503, "Service Unavailable", "the engine's queue is full");
  auto rejected_spans = reasons.size() + out.dropped;
  if (rejected_spans == 0)
    return json_response("{}");
  std::string message;
  for (const auto& r : reasons)
    message += (message.empty() ? "" : "; ") + r;
  if (out.dropped > 0)
    message += (message.empty() ? "" : "; ") + std::to_string(out.dropped)
               + " dropped: the engine's queue stayed full";
  return json_response(
    dump_json({{"partialSuccess",
                {{"rejectedSpans", std::to_string(rejected_spans)},
                 {"errorMessage", message}}}}));
}

} // namespace

std::vector<route> ingest_routes(engine& eng, const api_options& o) {
  auto timeout = o.timeout;
  auto events = std::make_shared<door_meter>(eng.client(), "events");
  auto otlp = std::make_shared<door_meter>(eng.client(), "otlp");
  return {{"POST", "/api/events", role::operator_,
           "events in the wire format as JSON, a batch per request; "
           "?wait=durable answers after COMMIT",
           [&eng, events, timeout](const request_context& ctx) {
             return post_events(eng, *events, timeout, ctx);
           }},
          {"POST", "/v1/traces", role::operator_,
           "OTLP/HTTP traces in the JSON encoding (OpenTelemetry SDKs with "
           "http/json)",
           [&eng, otlp, timeout](const request_context& ctx) {
             return post_traces(eng, *otlp, timeout, ctx);
           }}};
}

} // namespace argus::gateway
