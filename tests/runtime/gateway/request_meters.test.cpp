#include "runtime/gateway/request_meters.hpp"

#include <doctest/doctest.h>

#include <map>
#include <thread>
#include <tuple>

using namespace argus;
using namespace argus::gateway;

namespace {

using series_key = std::tuple<std::string, std::string, std::string>;

/// Every `argus_http_requests_total` series by route, method and code, and
/// every duration histogram's count by route.
struct read_back {
  std::map<series_key, uint64_t> requests;
  std::map<std::string, uint64_t> durations;
};

read_back read(const runtime::client& c) {
  read_back out;
  c.metrics().for_each([&](const auto& s) {
    auto label = [&](const char* k) {
      for (const auto& [key, value] : s.labels)
        if (key == k)
          return value;
      return std::string{};
    };
    if (s.name == "argus_http_requests_total" && s.counter)
      out.requests[series_key{label("route"), label("method"), label("code")}]
        += s.counter->value();
    if (s.name == "argus_http_request_duration_seconds" && s.histogram)
      out.durations[label("route")] += s.histogram->snapshot().count();
  });
  return out;
}

request_record request(std::string method, std::string route, int status) {
  request_record r;
  r.method = std::move(method);
  r.route = std::move(route);
  r.status = status;
  r.duration_ns = 1'500'000;
  return r;
}

} // namespace

TEST_CASE("request meters count every request under its route, method and "
          "code from many threads, past the codes that have a handle, and "
          "fold invented methods into one series") {
  auto core = std::make_shared<runtime::detail::ingress>(16);
  runtime::client client{core};
  std::vector<route> routes{
    {"GET", "/api/things/{id}", role::viewer, "one thing", {}},
    {"POST", "/api/things", role::operator_, "a new thing", {}},
    {"GET", "/api/things", role::viewer, "every thing", {}},
  };
  request_meters meters{client, routes};
  // More distinct codes than get a handle of their own: the rest go by
  // name, and are counted all the same.
  constexpr int codes = static_cast<int>(code_counters::capacity) + 4;
  constexpr int threads = 4;
  constexpr int rounds = 250;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i = 0; i < rounds; ++i) {
        for (int c = 0; c < codes; ++c)
          meters.record(request("GET", "/api/things/{id}", 200 + c));
        meters.record(request("POST", "/api/things", 202));
        meters.record(request("GET", "/api/things", 200));
        meters.record(request("BREW", "(no route)", 405));
        meters.record(request("GET", "(no route)", 404));
      }
    });
  for (auto& th : pool)
    th.join();
  auto got = read(client);
  auto n = [&](const char* route, const char* method, int code) {
    return got.requests[series_key{route, method, std::to_string(code)}];
  };
  const uint64_t per_series = threads * rounds;
  for (int c = 0; c < codes; ++c)
    CHECK_MESSAGE(n("/api/things/{id}", "GET", 200 + c) == per_series, "code ",
                  200 + c);
  CHECK(n("/api/things", "POST", 202) == per_series);
  CHECK(n("/api/things", "GET", 200) == per_series);
  CHECK(n("(no route)", "other", 405) == per_series);
  CHECK(n("(no route)", "GET", 404) == per_series);
  CHECK(got.requests.count(series_key{"(no route)", "BREW", "405"}) == 0);
  // Exactly the series above: nothing counted twice or under another name.
  CHECK(got.requests.size() == static_cast<size_t>(codes) + 4);
  // One latency histogram per route, shared by its methods.
  CHECK(got.durations["/api/things/{id}"] == per_series * codes);
  CHECK(got.durations["/api/things"] == 2 * per_series);
  CHECK(got.durations["(no route)"] == 2 * per_series);
}

TEST_CASE("code counters hand out one handle per code and none past their "
          "capacity") {
  auto core = std::make_shared<runtime::detail::ingress>(16);
  runtime::client client{core};
  code_counters counters;
  int made = 0;
  auto make = [&](int code) {
    ++made;
    return client.counter("codes", {{"code", std::to_string(code)}});
  };
  auto* first = counters.get(200, make);
  REQUIRE(first != nullptr);
  CHECK(counters.get(200, make) == first);
  CHECK(made == 1);
  for (int c = 1; c < static_cast<int>(code_counters::capacity); ++c)
    CHECK(counters.get(200 + c, make) != nullptr);
  CHECK(counters.get(999, make) == nullptr);
  CHECK(made == static_cast<int>(code_counters::capacity));
}
