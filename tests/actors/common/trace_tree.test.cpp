#include "actors/common/trace_tree.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace argus;

namespace {

span_recorded span(const std::string& id, const std::string& parent,
                   int64_t start, int64_t end,
                   component_type c = component_type::analyst) {
  span_recorded s;
  s.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  s.span_id = id;
  s.parent_span_id = parent;
  s.start_ns = 1000 + start;
  s.end_ns = 1000 + end;
  s.component = c;
  s.operation = id;
  return s;
}

/// @returns the node of span `id`.
const span_node& node(const trace_tree& t, const std::vector<span_recorded>& s,
                      const std::string& id) {
  for (const auto& n : t.nodes)
    if (s[n.span].span_id == id)
      return n;
  FAIL("no node " << id);
  return t.nodes.front();
}

std::vector<std::string> ids(const trace_tree& t,
                             const std::vector<span_recorded>& s,
                             const std::vector<size_t>& nodes) {
  std::vector<std::string> result;
  for (auto n : nodes)
    result.push_back(s[t.nodes[n].span].span_id);
  return result;
}

} // namespace

TEST_CASE("trace tree: order, depth, offsets, self time and critical path "
          "of an analyst-to-exchange request") {
  // R [0,100]: A [5,30] (A1 [10,20]), S [30,60], X [40,50] (async, off the
  // path), T [60,95] (E [65,90]). Given in scrambled order.
  std::vector<span_recorded> s{
    span("E", "T", 65, 90, component_type::exchange),
    span("X", "R", 40, 50),
    span("A1", "A", 10, 20),
    span("R", "", 0, 100, component_type::supervisor),
    span("T", "R", 60, 95, component_type::tactician),
    span("A", "R", 5, 30),
    span("S", "R", 30, 60, component_type::strategist),
  };
  auto t = build_trace_tree(s);
  CHECK(t.duration_ns() == 100);
  CHECK(ids(t, s, t.roots) == std::vector<std::string>{"R"});
  std::vector<size_t> order(t.nodes.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  CHECK(ids(t, s, order)
        == std::vector<std::string>{"R", "A", "A1", "S", "X", "T", "E"});
  CHECK(node(t, s, "A1").depth == 2);
  CHECK(node(t, s, "E").depth == 2);
  CHECK(node(t, s, "T").start_offset_ns == 60);
  CHECK(node(t, s, "T").duration_ns == 35);
  CHECK(node(t, s, "R").self_ns == 10); // 100 - [5,95]
  CHECK(node(t, s, "A").self_ns == 15); // 25 - 10
  CHECK(node(t, s, "T").self_ns == 10); // 35 - 25
  CHECK(node(t, s, "E").self_ns == 25);
  CHECK(ids(t, s, t.critical_path)
        == std::vector<std::string>{"R", "A", "A1", "S", "T", "E"});
  CHECK(!node(t, s, "X").critical);
}

TEST_CASE("trace tree: overlapping children take the one that ends last") {
  // P [0,10]: B [0,10] and C [2,8] in parallel; only B determines P's end.
  std::vector<span_recorded> s{span("P", "", 0, 10), span("B", "P", 0, 10),
                               span("C", "P", 2, 8)};
  auto t = build_trace_tree(s);
  CHECK(ids(t, s, t.critical_path) == std::vector<std::string>{"P", "B"});
  CHECK(node(t, s, "P").self_ns == 0);
}

TEST_CASE("trace tree: a child outliving its parent is clipped") {
  // An async child [5, 50] of P [0, 10].
  std::vector<span_recorded> s{span("P", "", 0, 10), span("Z", "P", 5, 50)};
  auto t = build_trace_tree(s);
  CHECK(node(t, s, "P").self_ns == 5);
  CHECK(t.duration_ns() == 50);
  CHECK(node(t, s, "Z").critical);
}

TEST_CASE("trace tree: missing parents become roots - cycles are broken") {
  std::vector<span_recorded> s{
    span("orphan", "not-here", 5, 6), span("root", "", 0, 10),
    span("c1", "c2", 1, 2), span("c2", "c1", 2, 3), span("self", "self", 3, 4)};
  auto t = build_trace_tree(s);
  CHECK(t.nodes.size() == 5);
  // Every span placed exactly once.
  std::vector<int> seen(s.size());
  for (const auto& n : t.nodes)
    ++seen[n.span];
  for (auto x : seen)
    CHECK(x == 1);
  CHECK(t.roots.size() >= 3);
  CHECK(node(t, s, "root").critical);
}

TEST_CASE("trace tree: a 100000-deep chain neither recurses nor overflows") {
  std::vector<span_recorded> s;
  for (int i = 0; i < 100000; ++i)
    s.push_back(span("s" + std::to_string(i),
                     i == 0 ? "" : "s" + std::to_string(i - 1), i, 200000 - i));
  auto t = build_trace_tree(s);
  CHECK(t.nodes.back().depth == 99999);
  CHECK(t.critical_path.size() == 100000);
}

TEST_CASE("trace tree: empty input") {
  auto t = build_trace_tree(std::vector<span_recorded>{});
  CHECK(t.nodes.empty());
  CHECK(t.critical_path.empty());
}
