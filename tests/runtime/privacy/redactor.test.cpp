#include "runtime/privacy/redactor.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "tests/messages/samples.hpp"

using namespace argus;
using privacy::redactor;

namespace {

std::shared_ptr<const redactor> make(config::privacy_config cfg = {}) {
  auto r = redactor::make(cfg);
  REQUIRE(r);
  return *r;
}

config::privacy_config with_key() {
  config::privacy_config cfg;
  cfg.redact_patterns.push_back(R"(sk_live_[A-Za-z0-9]{24})");
  cfg.hash_key = config::secret{"k3y"};
  return cfg;
}

} // namespace

TEST_CASE("sensitive keys match case-insensitively, whole or by any dotted "
          "segment") {
  auto r = make();
  CHECK(r->sensitive_key("password"));
  CHECK(r->sensitive_key("API_KEY"));
  CHECK(r->sensitive_key("exchange.api_key"));
  CHECK(r->sensitive_key("Exchange.API_Key.v2"));
  CHECK(!r->sensitive_key("exchange.api_keys"));
  CHECK(r->sensitive_key("account_id.primary"));
  CHECK(!r->sensitive_key("api_key_rotation_days"));
  CHECK(!r->sensitive_key("symbol"));
  CHECK(!r->sensitive_key(""));
}

TEST_CASE("a keyed hash keeps equal values equal and hides them, and without "
          "a key a value is redacted") {
  auto keyed = make(with_key());
  auto a = keyed->replacement("ACC-12345678");
  CHECK(a.rfind("hmac:", 0) == 0);
  CHECK(a.size() == 5 + 16);
  CHECK(a == keyed->replacement("ACC-12345678"));
  CHECK(a != keyed->replacement("ACC-12345679"));
  auto other_key = with_key();
  other_key.hash_key = config::secret{"another"};
  CHECK(make(other_key)->replacement("ACC-12345678") != a);
  CHECK(make()->replacement("ACC-12345678") == "[redacted]");
}

TEST_CASE("patterns replace every match inside a text and leave the rest") {
  auto r = make(with_key());
  std::string text = "login bob@fund.example.com with sk_live_"
                     "aaaaaaaaaaaaaaaaaaaaaaaa then carol@x.io";
  CHECK(r->scrub(text));
  CHECK(text.find("bob@") == std::string::npos);
  CHECK(text.find("carol@") == std::string::npos);
  CHECK(text.find("sk_live_") == std::string::npos);
  CHECK(text.rfind("login hmac:", 0) == 0);
  CHECK(text.find(" with hmac:") != std::string::npos);
  CHECK(text.find(" then hmac:") != std::string::npos);
  // A pattern that can match empty text (refused in a config, but possible
  // from C++) still keeps every other character.
  config::privacy_config loose;
  loose.redact_patterns = {"(x@y\\.io)?"};
  std::string around = "ab x@y.io cd";
  CHECK(make(loose)->scrub(around));
  CHECK(around == "ab [redacted] cd");
  std::string clean = "nothing to hide here";
  CHECK(!r->scrub(clean));
  CHECK(clean == "nothing to hide here");
  CHECK(r->redactions() == 3);
}

TEST_CASE("an event's texts are anonymised by key and pattern, and its ids "
          "are left alone") {
  auto r = make(with_key());
  auto span = test::sample_span_recorded();
  span.attributes.push_back(
    {"api_key", attribute_type::string, "plain-value", 0, 0.0, false});
  span.status_message = "rejected for trader@fund.example.com";
  auto trace_id = span.trace_id;
  inbound_event e{span};
  r->apply(e);
  const auto& out = std::get<span_recorded>(e);
  CHECK(out.trace_id == trace_id);
  CHECK(out.hdr.corr.str() == "req_123");
  CHECK(out.attributes.back().text.rfind("hmac:", 0) == 0);
  CHECK(out.status_message.find("trader@") == std::string::npos);
  // A string map by key: decision inputs.
  auto step = test::sample_decision_step_recorded();
  step.inputs["account_id"] = "A-1";
  step.inputs["note"] = "mail ops@desk.example.org";
  inbound_event d{step};
  r->apply(d);
  const auto& s = std::get<decision_step_recorded>(d);
  CHECK(s.inputs.at("account_id").rfind("hmac:", 0) == 0);
  CHECK(s.inputs.at("note").find("ops@") == std::string::npos);
  CHECK(s.inputs.at("signal") == "buy");
}

TEST_CASE("names that carry what a pattern finds are anonymised too: "
          "attribute keys and string map keys") {
  auto r = make(with_key());
  auto e = test::sample_metric_sampled();
  e.labels["desk_of_bob@fund.example.com"] = "equities";
  inbound_event x{e};
  r->apply(x);
  const auto& labels = std::get<metric_sampled>(x).labels;
  for (const auto& [k, v] : labels)
    CHECK(k.find("bob@") == std::string::npos);
  CHECK(labels.size() == e.labels.size());
  auto span = test::sample_span_recorded();
  span.attributes.push_back(
    {"note_for_x@y.example.com", attribute_type::integer, "", 1, 0.0, false});
  inbound_event y{span};
  r->apply(y);
  CHECK(std::get<span_recorded>(y).attributes.back().key.find("x@y")
        == std::string::npos);
}

TEST_CASE("a span slot's inline attributes, name, message and overflow are "
          "anonymised in place") {
  auto r = make(with_key());
  span_slot slot{};
  slot.clear();
  auto put = [&](const char* key, const char* text) {
    auto& a = slot.attrs[slot.attr_count++];
    a.type = attribute_type::string;
    a.key_len = static_cast<uint8_t>(std::strlen(key));
    std::memcpy(a.key, key, a.key_len);
    a.text_len = static_cast<uint8_t>(std::strlen(text));
    std::memcpy(a.text, text, a.text_len);
  };
  put("token", "t0k3n");
  put("venue", "binance");
  put("contact", "desk@fund.example.com");
  const char* msg = "failed for a@b.cd";
  slot.message_len = static_cast<uint8_t>(std::strlen(msg));
  std::memcpy(slot.message, msg, slot.message_len);
  span_recorded extra;
  extra.attributes.push_back(
    {"password", attribute_type::string, "hunter2", 0, 0.0, false});
  slot.overflow = &extra;
  r->apply(slot);
  auto text = [&](int i) {
    return std::string{slot.attrs[i].text, slot.attrs[i].text_len};
  };
  CHECK(text(0).rfind("hmac:", 0) == 0);
  CHECK(text(1) == "binance");
  CHECK(text(2).rfind("hmac:", 0) == 0);
  CHECK(std::string{slot.message, slot.message_len}
        == "failed for " + r->replacement("a@b.cd"));
  CHECK(extra.attributes[0].text.rfind("hmac:", 0) == 0);
}

TEST_CASE("a pattern that does not compile or matches empty text is refused "
          "with its index") {
  config::engine_config cfg;
  cfg.privacy.redact_patterns = {"(unclosed", "x*"};
  auto issues = config::validate(cfg);
  bool unclosed = false;
  bool empty = false;
  for (const auto& i : issues) {
    unclosed
      |= i.path == "monitoring.privacy.redact_patterns[0]"
         && i.message.find("not a valid RE2 pattern") != std::string::npos;
    empty |= i.path == "monitoring.privacy.redact_patterns[1]"
             && i.message.find("matches empty text") != std::string::npos;
  }
  CHECK(unclosed);
  CHECK(empty);
  CHECK(!redactor::make(cfg.privacy));
}
