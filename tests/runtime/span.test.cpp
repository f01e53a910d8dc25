#include "runtime/span.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <thread>

using namespace argus;
using runtime::scoped_span;

namespace {

std::vector<span_recorded> drain(span_buffers& b) {
  std::vector<span_recorded> out;
  b.drain(1'000'000, [&](span_slot& s) {
    out.push_back(to_span_recorded(s));
    delete s.overflow;
  });
  return out;
}

const span_recorded& by_op(const std::vector<span_recorded>& xs,
                           const std::string& op) {
  for (const auto& x : xs)
    if (x.operation == op)
      return x;
  FAIL("no span " << op);
  return xs.front();
}

const auto req = *correlation_id::parse("req_123");

} // namespace

TEST_CASE("spans nest by thread: the enclosing span of a request is the "
          "parent") {
  span_buffers b{64};
  {
    scoped_span outer{b, component_type::analyst, "analyze", req};
    outer.set("features_generated", 50);
    {
      scoped_span inner{b, component_type::strategist, "strategy_execution",
                        req};
      inner.set("strategy_applied", "momentum_based");
      inner.ok();
    }
    // A different request on the same thread starts its own trace.
    scoped_span other{b, component_type::exchange, "ping",
                      *correlation_id::parse("req_999")};
  }
  auto spans = drain(b);
  REQUIRE(spans.size() == 3);
  const auto& outer = by_op(spans, "analyze");
  const auto& inner = by_op(spans, "strategy_execution");
  const auto& other = by_op(spans, "ping");
  CHECK(outer.parent_span_id.empty());
  CHECK(inner.parent_span_id == outer.span_id);
  CHECK(inner.trace_id == outer.trace_id);
  CHECK(outer.trace_id == trace_id_for(req).hex());
  CHECK(other.parent_span_id.empty());
  CHECK(other.trace_id != outer.trace_id);
  CHECK(inner.hdr.corr == req);
  CHECK(inner.status == span_status::ok);
  CHECK(inner.start_ns >= outer.start_ns);
  CHECK(inner.end_ns <= outer.end_ns);
  REQUIRE(outer.attributes.size() == 1);
  CHECK(outer.attributes[0].key == "features_generated");
  CHECK(outer.attributes[0].integer == 50);
  CHECK(inner.attributes[0].text == "momentum_based");
  CHECK(outer.span_id.size() == 16);
  CHECK(outer.span_id != inner.span_id);
}

TEST_CASE("attributes beyond the inline slots, long values, events and "
          "links are kept") {
  span_buffers b{64};
  {
    scoped_span s{b, component_type::tactician, "order_sizing", req};
    for (int i = 0; i < 8; ++i)
      s.set("k" + std::to_string(i), i);
    s.set("k0", 100); // overwrite in place
    s.set("long", std::string(200, 'x'));
    s.set("pi", 3.25);
    s.set("live", true);
    s.event("retry");
    s.link(trace_id_for(req), *span_id::from_hex("00f067aa0ba902b7"));
    s.error(std::string(100, 'e'));
  }
  auto spans = drain(b);
  REQUIRE(spans.size() == 1);
  const auto& s = spans[0];
  REQUIRE(s.attributes.size() == 11);
  CHECK(s.attributes[0].key == "k0");
  CHECK(s.attributes[0].integer == 100);
  CHECK(s.attributes[7].key == "k7");
  bool long_found = false;
  for (const auto& a : s.attributes)
    long_found |= a.key == "long" && a.text.size() == 200;
  CHECK(long_found);
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0].name == "retry");
  REQUIRE(s.links.size() == 1);
  CHECK(s.links[0].span_id == "00f067aa0ba902b7");
  CHECK(s.status == span_status::error);
  CHECK(s.status_message.size() == 100);
}

TEST_CASE("a span can end on another thread, and an explicit parent "
          "crosses threads") {
  span_buffers b{64};
  scoped_span order{b, component_type::exchange, "place_order", req,
                    span_kind::client};
  auto parent = order.context();
  std::thread other{[&, s = std::move(order)]() mutable {
    scoped_span fill{b, component_type::exchange, "fill", req, parent};
    fill.end();
    s.end();
  }};
  other.join();
  auto spans = drain(b);
  REQUIRE(spans.size() == 2);
  CHECK(by_op(spans, "fill").parent_span_id
        == by_op(spans, "place_order").span_id);
  CHECK(by_op(spans, "place_order").kind == span_kind::client);
}

TEST_CASE("a parent that ends and dies before its child leaves no dangling "
          "parent for the spans after them") {
  span_buffers b{64};
  auto parent
    = std::make_unique<scoped_span>(b, component_type::analyst, "parent", req);
  auto parent_id = parent->context().parent;
  auto child
    = std::make_unique<scoped_span>(b, component_type::analyst, "child", req);
  parent.reset(); // ends and frees the parent while the child is open
  { scoped_span sibling{b, component_type::analyst, "under_child", req}; }
  child.reset();
  { scoped_span after{b, component_type::analyst, "after", req}; }
  auto spans = drain(b);
  REQUIRE(spans.size() == 4);
  CHECK(by_op(spans, "child").parent_span_id == parent_id.hex());
  CHECK(by_op(spans, "under_child").parent_span_id
        == by_op(spans, "child").span_id);
  // Both ended: the next span of the request is a root, not a child of
  // freed memory.
  CHECK(by_op(spans, "after").parent_span_id.empty());
}

TEST_CASE("a span moved to another thread and ended there is nobody's parent "
          "on the thread it left") {
  span_buffers b{64};
  auto moved
    = std::make_unique<scoped_span>(b, component_type::exchange, "moved", req);
  std::thread other{[s = std::move(*moved)]() mutable {
    s.end();
  }};
  other.join();
  moved.reset();
  { scoped_span next{b, component_type::exchange, "next", req}; }
  auto spans = drain(b);
  REQUIRE(spans.size() == 2);
  CHECK(by_op(spans, "next").parent_span_id.empty());
}

TEST_CASE("spans nested deeper than the per-thread stack still record, with "
          "parents as deep as it reaches") {
  span_buffers b{256};
  std::vector<std::unique_ptr<scoped_span>> stack;
  for (int i = 0; i < 40; ++i)
    stack.push_back(std::make_unique<scoped_span>(
      b, component_type::analyst, "level" + std::to_string(i), req));
  while (!stack.empty())
    stack.pop_back();
  auto spans = drain(b);
  REQUIRE(spans.size() == 40);
  CHECK(by_op(spans, "level1").parent_span_id
        == by_op(spans, "level0").span_id);
  CHECK(by_op(spans, "level31").parent_span_id
        == by_op(spans, "level30").span_id);
  // Past the stack's depth: parented to its deepest frame.
  CHECK(by_op(spans, "level39").parent_span_id
        == by_op(spans, "level31").span_id);
}

TEST_CASE("an exception leaving a span's scope marks it as an error") {
  span_buffers b{64};
  try {
    scoped_span s{b, component_type::strategist, "risky", req};
    throw std::runtime_error("boom");
  } catch (const std::exception&) {
  }
  span_buffers quiet{64, recording_options{true, false}};
  try {
    scoped_span s{quiet, component_type::strategist, "risky", req};
    throw std::runtime_error("boom");
  } catch (const std::exception&) {
  }
  auto spans = drain(b);
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].status == span_status::error);
  CHECK(spans[0].status_message.find("exception") != std::string::npos);
  auto unmarked = drain(quiet);
  REQUIRE(unmarked.size() == 1);
  CHECK(unmarked[0].status == span_status::unset);
}

TEST_CASE("with tracing disabled, spans record nothing") {
  span_buffers b{64, recording_options{false, true}};
  {
    scoped_span s{b, component_type::analyst, "x", req};
    s.set("a", 1);
    CHECK(!s.active());
  }
  CHECK(drain(b).empty());
  CHECK(b.pushed() == 0);
}

TEST_CASE("a full ring drops spans and counts them") {
  span_buffers b{4};
  for (int i = 0; i < 10; ++i) {
    scoped_span s{b, component_type::analyst, "x", req};
    s.event("with overflow"); // the dropped ones must free it
  }
  CHECK(b.pushed() == 4);
  CHECK(b.dropped() == 6);
  CHECK(drain(b).size() == 4);
}

TEST_CASE("rings of exited threads are drained, then retired") {
  span_buffers b{1024};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        scoped_span s{b, component_type::analyst, "x", req};
    });
  for (auto& t : threads)
    t.join();
  CHECK(b.rings() == 3);
  CHECK(drain(b).size() == 1500);
  CHECK(b.rings() == 0);
  CHECK(b.pushed() == 1500); // totals survive retirement
}
