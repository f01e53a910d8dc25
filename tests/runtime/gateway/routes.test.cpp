#include "runtime/gateway/routes.hpp"

#include "runtime/gateway/auth.hpp"
#include "runtime/gateway/params.hpp"

#include <doctest/doctest.h>

using namespace argus::gateway;

namespace {

route_handler nothing() {
  return [](const request_context&) {
    return http_response{};
  };
}

} // namespace

TEST_CASE("the router prefers a literal segment and fills parameters") {
  router r{
    {{"GET", "/api/tracking/{kind}", role::viewer, "", nothing()},
     {"GET", "/api/tracking/regimes", role::admin, "", nothing()},
     {"POST", "/api/tracking/{kind}", role::operator_, "", nothing()},
     {"GET", "/api/tracing/correlation/{id}", role::viewer, "", nothing()}}};
  auto m = r.find("GET", "/api/tracking/regimes");
  REQUIRE(m.found);
  CHECK(m.found->min_role == role::admin);
  CHECK(m.params.empty());
  m = r.find("GET", "/api/tracking/ensembles");
  REQUIRE(m.found);
  CHECK(m.found->pattern == "/api/tracking/{kind}");
  CHECK(m.params.at("kind") == "ensembles");
  m = r.find("GET", "/api/tracing/correlation/req_1");
  REQUIRE(m.found);
  CHECK(m.params.at("id") == "req_1");
  // A parameter never matches an empty segment, and depth must agree.
  CHECK_FALSE(r.find("GET", "/api/tracing/correlation/").found);
  CHECK_FALSE(r.find("GET", "/api/tracing/correlation/a/b").found);
  CHECK_FALSE(r.find("GET", "/api/tracking/regimes/").found);
}

TEST_CASE("the router tells a missing path from a method not allowed") {
  router r{{{"GET", "/api/status", role::viewer, "", nothing()},
            {"POST", "/api/events", role::operator_, "", nothing()},
            {"GET", "/api/events", role::viewer, "", nothing()}}};
  auto m = r.find("DELETE", "/api/events");
  CHECK_FALSE(m.found);
  CHECK(m.allowed == std::vector<std::string>{"POST", "GET"});
  m = r.find("GET", "/api/nothing");
  CHECK_FALSE(m.found);
  CHECK(m.allowed.empty());
  // Methods are case-sensitive (RFC 9110).
  CHECK_FALSE(r.find("get", "/api/status").found);
}

TEST_CASE("roles parse and order as viewer < operator < admin") {
  role x = role::anyone;
  CHECK(parse_role("operator", x));
  CHECK(x == role::operator_);
  CHECK_FALSE(parse_role("root", x));
  CHECK_FALSE(parse_role("Viewer", x));
  CHECK(role::anyone < role::viewer);
  CHECK(role::viewer < role::operator_);
  CHECK(role::operator_ < role::admin);
  CHECK(std::string{to_string(role::operator_)} == "operator");
}

TEST_CASE("paths and query strings are percent-decoded, malformed escapes "
          "refused") {
  bool ok = false;
  CHECK(percent_decode("/a%20b%2Fc", false, ok) == "/a b/c");
  CHECK(ok);
  CHECK(percent_decode("a+b", true, ok) == "a b");
  CHECK(percent_decode("a+b", false, ok) == "a+b");
  percent_decode("%", false, ok);
  CHECK_FALSE(ok);
  percent_decode("%4", false, ok);
  CHECK_FALSE(ok);
  percent_decode("%zz", false, ok);
  CHECK_FALSE(ok);
  auto q = query_params::parse("since=1h&labels=symbol%3ABTC&&flag&x=");
  CHECK(q.error.empty());
  REQUIRE(q.get("labels"));
  CHECK(*q.get("labels") == "symbol:BTC");
  REQUIRE(q.get("flag"));
  CHECK(q.get("flag")->empty());
  CHECK(q.get("missing") == nullptr);
  CHECK(q.items.size() == 4);
  CHECK(query_params::parse("a=%G1").error.find("'a'") != std::string::npos);
}

TEST_CASE("times are RFC 3339, Unix seconds or a duration before now") {
  std::string error;
  constexpr int64_t now = 1'796'187'600'000'000'000; // 2026-12-02T05:00:00Z
  CHECK(parse_time("2026-12-02T05:00:00Z", now, error) == now);
  CHECK(parse_time("2026-12-02T07:30:00+02:30", now, error) == now);
  CHECK(parse_time("2024-02-29T23:59:59.5Z", now, error)
        == 1'709'251'199'500'000'000);
  CHECK(parse_time("1970-01-01T00:00:00Z", now, error) == 0);
  CHECK(parse_time("2262-01-01T00:00:00Z", now, error)
        == 9'214'646'400'000'000'000);
  CHECK(parse_time("1796187600", now, error) == now);
  CHECK(parse_time("1796187600.25", now, error) == now + 250'000'000);
  CHECK(parse_time("15m", now, error) == now - 900'000'000'000);
  CHECK(parse_time("1h", now, error) == now - 3'600'000'000'000);
  for (auto bad : {"2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                   "2026-12-02T05:00:00", "2026-12-02T25:00:00Z",
                   "2026-12-02T05:00:00Zjunk", "-5", "0x10", "soon", "",
                   // Beyond int64 nanoseconds (found by fuzz_http).
                   "7587-12-02T05:00:00Z", "1600-01-01T00:00:00Z"}) {
    CAPTURE(bad);
    error.clear();
    CHECK_FALSE(parse_time(bad, now, error));
    CHECK_FALSE(error.empty());
  }
  auto q = query_params::parse("since=2h&until=3h");
  CHECK_FALSE(parse_range(q, now, error));
  CHECK(error == "until is before since");
  q = query_params::parse("since=nope");
  CHECK_FALSE(parse_range(q, now, error));
  CHECK(error.rfind("since: ", 0) == 0);
}

TEST_CASE("counts are whole numbers within their bounds") {
  std::string error;
  auto q = query_params::parse("limit=10&big=1001&neg=-1&frac=1.5&empty=");
  CHECK(parse_count(q, "limit", 5, 1, 1000, error) == 10u);
  CHECK(parse_count(q, "absent", 5, 1, 1000, error) == 5u);
  for (auto name : {"big", "neg", "frac", "empty"}) {
    CAPTURE(name);
    CHECK_FALSE(parse_count(q, name, 5, 1, 1000, error));
    CHECK(error.find(name) == 0);
  }
  CHECK(
    parse_count(query_params::parse("limit=1000"), "limit", 5, 1, 1000, error)
    == 1000u);
  CHECK_FALSE(
    parse_count(query_params::parse("limit=0"), "limit", 5, 1, 1000, error));
}

TEST_CASE("tokens are kept as SHA-256 digests and found by their value") {
  CHECK(argus::to_hex(argus::sha256("abc"))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  token_store tokens;
  tokens.add("grafana", role::viewer, "viewer-token-0123456789");
  tokens.add("me", role::admin, "admin-token-0123456789ab");
  auto who = tokens.find("admin-token-0123456789ab");
  REQUIRE(who);
  CHECK(who->name == "me");
  CHECK(who->granted == role::admin);
  CHECK_FALSE(tokens.find("admin-token-0123456789aB"));
  CHECK_FALSE(tokens.find(""));
  CHECK(bearer_token("Bearer abc") == std::string_view{"abc"});
  CHECK(bearer_token("bearer   abc  ") == std::string_view{"abc"});
  CHECK_FALSE(bearer_token("Basic YWxhZGRpbjpvcGVuc2VzYW1l"));
  CHECK_FALSE(bearer_token("Bearer "));
  CHECK_FALSE(bearer_token(""));
}

TEST_CASE("an address that keeps failing is throttled until its window "
          "passes") {
  using namespace std::chrono_literals;
  failure_throttle t{3, 1000ms, 2};
  auto t0 = failure_throttle::clock::now();
  for (int i = 0; i < 3; ++i) {
    CHECK(t.blocked_for("10.0.0.1", t0).count() == 0);
    t.failed("10.0.0.1", t0);
  }
  CHECK(t.blocked_for("10.0.0.1", t0 + 10ms).count() > 0);
  CHECK(t.blocked_for("10.0.0.1", t0 + 10ms).count() <= 1000);
  CHECK(t.blocked_for("10.0.0.2", t0).count() == 0);
  CHECK(t.blocked_for("10.0.0.1", t0 + 1001ms).count() == 0);
  // A success forgets the failures.
  t.failed("10.0.0.3", t0);
  t.failed("10.0.0.3", t0);
  t.succeeded("10.0.0.3");
  t.failed("10.0.0.3", t0);
  CHECK(t.blocked_for("10.0.0.3", t0).count() == 0);
  // Bounded: a flood of addresses evicts the oldest record.
  t.failed("a", t0 + 1ms);
  t.failed("b", t0 + 2ms);
  t.failed("c", t0 + 3ms);
  CHECK(t.size() == 2);
  CHECK(peer_address("127.0.0.1:5000") == "127.0.0.1");
  CHECK(peer_address("[::1]:5000") == "::1");
  CHECK(peer_address("::1") == "::1");
}
