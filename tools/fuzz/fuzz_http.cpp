// libFuzzer harness: what a hostile HTTP client controls after the listener
// has parsed a request: the target (routing, percent-decoding, query
// parameters, times and counts), the Authorization header (bearer parsing,
// the token lookup) and the body (JSON, the OTLP mapping, the JSON events
// through the wire decoder and admission). The input is three parts split
// at the first two newlines: "METHOD TARGET", the Authorization value, the
// body. Never crashes, never throws; every refusal says why.

#include "actors/tracer/export.hpp"
#include "messages/admission.hpp"
#include "messages/codec.hpp"
#include "runtime/engine.hpp"
#include "runtime/gateway/api.hpp"
#include "runtime/gateway/auth.hpp"
#include "runtime/gateway/ingest.hpp"
#include "runtime/gateway/params.hpp"
#include "runtime/gateway/routes.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

namespace {

using namespace argus;

const gateway::router& api_router() {
  // The real table; an engine that never starts is enough to build it, and
  // no handler is called.
  static auto* idle = new engine{config::engine_config{}};
  static auto* r = new gateway::router{gateway::api_routes(*idle, {})};
  return *r;
}

const gateway::token_store& tokens() {
  static auto* t = [] {
    auto* store = new gateway::token_store;
    store->add("viewer", gateway::role::viewer, "viewer-token-0123456789");
    return store;
  }();
  return *t;
}

std::string_view take_line(std::string_view& rest) {
  auto nl = rest.find('\n');
  auto line = rest.substr(0, nl);
  rest
    = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest{reinterpret_cast<const char*>(data), size};
  auto request_line = take_line(rest);
  auto authorization = take_line(rest);
  auto body = rest;
  auto space = request_line.find(' ');
  auto method = request_line.substr(0, space);
  auto target = space == std::string_view::npos
                  ? std::string_view{}
                  : request_line.substr(space + 1);
  auto q = target.find('?');
  bool ok = true;
  auto path = gateway::percent_decode(target.substr(0, q), false, ok);
  auto m = api_router().find(method, path);
  if (m.found && !m.allowed.empty())
    std::abort(); // a found route lists no alternatives
  if (q != std::string_view::npos) {
    auto params = gateway::query_params::parse(target.substr(q + 1));
    std::string error;
    if (params.error.empty()) {
      if (!gateway::parse_range(params, 1'796'187'600'000'000'000, error)
          && error.empty())
        std::abort();
      error.clear();
      if (!gateway::parse_count(params, "limit", 100, 1, 1000, error)
          && error.empty())
        std::abort();
    }
  }
  if (auto token = gateway::bearer_token(authorization))
    static_cast<void>(tokens().find(*token));
  std::string not_a_batch;
  if (auto batch = gateway::read_event_batch(body, not_a_batch)) {
    for (const auto& e : batch->entries) {
      if (!e.defect.empty())
        continue;
      if (e.offset + e.size > batch->envelopes.size())
        std::abort();
      if (auto event = codec::decode_event(batch->envelope(e)))
        static_cast<void>(admit(*event));
    }
  } else if (not_a_batch.empty()) {
    std::abort();
  }
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded())
    return 0;
  // The streamed batch says what the document says: as many events, each
  // envelope the JSON event itself.
  if (doc.is_array()) {
    std::string why;
    auto batch = gateway::read_event_batch(body, why);
    if (!batch || batch->entries.size() != doc.size())
      std::abort();
    for (size_t i = 0; i < doc.size(); ++i) {
      const auto& entry = batch->entries[i];
      if (!entry.defect.empty())
        continue;
      const auto& e = doc[i];
      auto expected
        = e.is_array()
            ? e
            : nlohmann::json::array(
              {e["type"], e.value("body", nlohmann::json::object())});
      auto bytes = batch->envelope(entry);
      if (nlohmann::json::from_msgpack(bytes.begin(), bytes.end(), true, false)
          != expected)
        std::abort();
    }
  }
  auto imported = from_otlp_json(doc);
  if (imported.spans.size() != imported.where.size())
    std::abort();
  for (auto& s : imported.spans)
    if (auto defect = admit(s))
      static_cast<void>(describe(*defect, s));
  return 0;
}
