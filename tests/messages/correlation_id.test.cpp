#include "messages/correlation_id.hpp"

#include "messages/error.hpp"
#include "messages/trace_context.hpp"
#include "runtime/correlation.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <thread>

using namespace argus;

TEST_CASE("correlation_id accepts the bot's ids, header values and trace ids") {
  for (std::string text :
       {std::string{"req_123"}, std::string{"4bf92f3577b34da6a3ce929d0e0e4736"},
        std::string{"a-b.c:d/e@f~!"}, std::string(64, 'x')}) {
    auto id = correlation_id::parse(text);
    REQUIRE(id);
    CHECK(id->view() == text);
    CHECK(to_string(*id) == text);
  }
}

TEST_CASE("correlation_id rejects empty, oversized and non-printable ids") {
  auto empty = correlation_id::parse("");
  REQUIRE(!empty);
  CHECK(empty.error() == ec::invalid_correlation_id);
  auto long_id = correlation_id::parse(std::string(65, 'x'));
  REQUIRE(!long_id);
  CHECK(to_string(long_id.error()).find("longer than 64") != std::string::npos);
  for (auto bad : {std::string{"has space"}, std::string{"tab\there"},
                   std::string{"nul\0x", 5}, std::string{"caf\xc3\xa9"}}) {
    auto r = correlation_id::parse(bad);
    REQUIRE(!r);
    CHECK(to_string(r.error()).find("non-printable") != std::string::npos);
  }
}

TEST_CASE("correlation_id compares and hashes by value") {
  auto a = *correlation_id::parse("req_1");
  auto b = *correlation_id::parse("req_1");
  auto c = *correlation_id::parse("req_2");
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a < c);
  CHECK(std::hash<correlation_id>{}(a) == std::hash<correlation_id>{}(b));
  CHECK(correlation_id{}.empty());
}

TEST_CASE("correlation_id round-trips through CAF serialization and "
          "re-validates on load") {
  auto id = *correlation_id::parse("req_123");
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  REQUIRE(!sink(id));
  correlation_id out;
  caf::binary_deserializer source{nullptr, buf};
  REQUIRE(!source(out));
  CHECK(out == id);
  // A peer that sends an invalid id as a string is refused on load.
  std::vector<char> hostile;
  caf::binary_serializer hsink{nullptr, hostile};
  std::string bad = "has space";
  REQUIRE(!hsink(bad));
  correlation_id victim;
  caf::binary_deserializer hsource{nullptr, hostile};
  CHECK(hsource(victim));
  CHECK(victim.empty());
}

TEST_CASE("minted correlation ids are 32 lowercase hex digits and distinct") {
  runtime::correlation_source ids;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto id = ids.next();
    REQUIRE(id.size() == 32);
    for (auto c : id.view())
      REQUIRE(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')));
    seen.insert(id.str());
  }
  CHECK(seen.size() == 10000);
}

TEST_CASE("a seeded correlation source is deterministic") {
  runtime::correlation_source a{7};
  runtime::correlation_source b{7};
  runtime::correlation_source c{8};
  auto first = a.next();
  CHECK(first == b.next());
  CHECK(first != c.next());
}

TEST_CASE("minted ids sort by creation and their random half samples "
          "uniformly") {
  runtime::correlation_source ids;
  auto prev = ids.next();
  int kept = 0;
  for (int i = 0; i < 20000; ++i) {
    auto id = ids.next();
    CHECK(prev.view() < id.view());
    kept += sampled(trace_id_for(id), 0.25);
    prev = id;
  }
  // 25 % of 20 000 = 5 000; 6 sigma is about 370.
  CHECK(kept > 4630);
  CHECK(kept < 5370);
  // A later source (a restart, at least a ms later) continues above the
  // earlier one's ids.
  std::this_thread::sleep_for(std::chrono::milliseconds{2});
  runtime::correlation_source later;
  CHECK(prev.view() < later.next().view());
}
