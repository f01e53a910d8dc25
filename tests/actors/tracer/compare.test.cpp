#include "actors/tracer/compare.hpp"

#include <doctest/doctest.h>

using namespace argus;

namespace {

span_recorded span(component_type c, std::string op, int64_t start, int64_t end,
                   std::string id) {
  span_recorded s;
  s.component = c;
  s.operation = std::move(op);
  s.start_ns = start;
  s.end_ns = end;
  s.span_id = std::move(id);
  return s;
}

} // namespace

TEST_CASE("two traces compare by component, operation and occurrence, the "
          "largest difference first") {
  std::vector<span_recorded> a{
    span(component_type::analyst, "features", 0, 100, "a1"),
    span(component_type::strategist, "decide", 100, 300, "a2"),
    span(component_type::exchange, "send", 300, 400, "a3"),
    span(component_type::exchange, "send", 400, 450, "a4"),
  };
  std::vector<span_recorded> b{
    // Given out of order: occurrences follow start times.
    span(component_type::exchange, "send", 900, 1000, "b4"),
    span(component_type::analyst, "features", 0, 110, "b1"),
    span(component_type::strategist, "decide", 110, 800, "b2"),
    span(component_type::tactician, "size", 800, 900, "b3"),
  };
  auto c = compare_traces(a, b);
  CHECK(c.a_total_ns == 450);
  CHECK(c.b_total_ns == 1000);
  REQUIRE(c.both.size() == 3);
  CHECK(c.both[0].operation == "decide");
  CHECK(c.both[0].a_ns == 200);
  CHECK(c.both[0].b_ns == 690);
  CHECK(c.both[1].operation == "features");
  CHECK(c.both[2].operation == "send");
  CHECK(c.both[2].occurrence == 0);
  CHECK(c.both[2].a_ns == 100);
  CHECK(c.both[2].b_ns == 100);
  REQUIRE(c.only_in_a.size() == 1);
  CHECK(c.only_in_a[0].operation == "send");
  CHECK(c.only_in_a[0].occurrence == 1);
  CHECK(c.only_in_a[0].b_ns == -1);
  REQUIRE(c.only_in_b.size() == 1);
  CHECK(c.only_in_b[0].component == "tactician");
  CHECK(compare_traces({}, {}).both.empty());
}
