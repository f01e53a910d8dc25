#include "actors/tracer/span_buffers.hpp"

#include "actors/tracer/held_span.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <thread>

using namespace argus;

namespace {

span_slot slot_at(int64_t start_ns) {
  span_slot s{};
  s.clear();
  s.start_ns = start_ns;
  s.end_ns = start_ns + 10;
  return s;
}

void set_operation(span_slot& s, const char* name) {
  s.operation_len = static_cast<uint8_t>(std::strlen(name));
  std::memcpy(s.operation, name, s.operation_len);
}

} // namespace

TEST_CASE("a span ring holds a power of two of spans, first in first out, "
          "and counts what did not fit") {
  span_ring ring{3}; // rounded up to 4
  for (int i = 0; i < 4; ++i)
    CHECK(ring.try_push(slot_at(i)));
  CHECK(!ring.try_push(slot_at(99)));
  CHECK(ring.dropped() == 1);
  CHECK(ring.pushed() == 4);
  span_slot out;
  for (int i = 0; i < 4; ++i) {
    REQUIRE(ring.try_pop(out));
    CHECK(out.start_ns == i);
  }
  CHECK(!ring.try_pop(out));
  CHECK(ring.empty());
  // Room again once drained.
  CHECK(ring.try_push(slot_at(5)));
}

TEST_CASE("a slot becomes the protocol's span with its inline attributes "
          "first, then the overflow's") {
  auto s = slot_at(100);
  set_operation(s, "place_order");
  s.component = component_type::tactician;
  s.status = span_status::error;
  s.attr_count = 1;
  auto& a = s.attrs[0];
  a.type = attribute_type::integer;
  a.key_len = 3;
  std::memcpy(a.key, "qty", 3);
  a.integer = 42;
  span_recorded extra;
  extra.attributes.push_back(
    {"long.key", attribute_type::string, "text", 0, 0.0, false});
  s.overflow = &extra;
  auto r = to_span_recorded(s);
  CHECK(r.operation == "place_order");
  CHECK(r.component == component_type::tactician);
  CHECK(r.status == span_status::error);
  CHECK(r.start_ns == 100);
  CHECK(r.end_ns == 110);
  REQUIRE(r.attributes.size() == 2);
  CHECK(r.attributes[0].key == "qty");
  CHECK(r.attributes[0].integer == 42);
  CHECK(r.attributes[1].key == "long.key");
  CHECK(r.attributes[1].text == "text");
  CHECK(r.parent_span_id.empty()); // no parent: no id
}

TEST_CASE("a held span owns its slot's overflow and gives the span back") {
  auto s = slot_at(7);
  set_operation(s, "fit");
  s.overflow = new span_recorded;
  s.overflow->status_message = "a message longer than a slot holds";
  held_span held{s};
  auto r = held.get();
  CHECK(r.operation == "fit");
  CHECK(r.status_message == "a message longer than a slot holds");
  CHECK(held.start_ns() == 7);
  span_recorded wire;
  wire.operation = "from the wire";
  wire.start_ns = 9;
  held_span whole{wire};
  CHECK(whole.get().operation == "from the wire");
  CHECK(whole.start_ns() == 9);
}

TEST_CASE("a held span costs the bytes it uses, not a whole slot, and a "
          "span from the wire comes back whole") {
  auto s = slot_at(11);
  set_operation(s, "place_order");
  held_span held{s};
  CHECK(held.heap_bytes() < sizeof(span_slot) / 2);
  CHECK(held.get().operation == "place_order");
  CHECK(held.get().start_ns == 11);

  span_recorded wire;
  wire.hdr.corr = *correlation_id::parse("wire-corr-1");
  wire.trace_id = std::string(32, 'a');
  wire.span_id = std::string(16, 'b');
  wire.operation = "from the wire";
  wire.status = span_status::error;
  wire.status_message = "rejected";
  wire.start_ns = 9;
  wire.end_ns = 19;
  attribute qty;
  qty.key = "qty";
  qty.type = attribute_type::integer;
  qty.integer = 42;
  wire.attributes.push_back(qty);
  span_event ev;
  ev.name = "retry";
  ev.time_ns = 12;
  wire.events.push_back(ev);
  held_span whole{wire};
  CHECK(whole.heap_bytes() < sizeof(span_slot) / 2);
  auto back = whole.get();
  CHECK(back.hdr.corr == wire.hdr.corr);
  CHECK(back.trace_id == wire.trace_id);
  CHECK(back.span_id == wire.span_id);
  CHECK(back.status == span_status::error);
  CHECK(back.status_message == "rejected");
  CHECK(back.end_ns == 19);
  REQUIRE(back.attributes.size() == 1);
  CHECK(back.attributes[0].integer == 42);
  REQUIRE(back.events.size() == 1);
  CHECK(back.events[0].name == "retry");
}

TEST_CASE("span buffers give each thread its own ring, drain them all, and "
          "drop an exited thread's ring once it is empty") {
  span_buffers buffers{8};
  CHECK(buffers.local()->try_push(slot_at(1)));
  CHECK(buffers.local() == buffers.local());
  std::thread other{[&] {
    CHECK(buffers.local()->try_push(slot_at(2)));
    CHECK(buffers.local()->try_push(slot_at(3)));
  }};
  other.join();
  CHECK(buffers.rings() == 2);
  CHECK(buffers.pushed() == 3);
  std::vector<int64_t> seen;
  // A bound on one drain: the rest waits for the next.
  CHECK(buffers.drain(2, [&](span_slot& s) {
    seen.push_back(s.start_ns);
  }) == 2);
  CHECK(buffers.drain(10, [&](span_slot& s) {
    seen.push_back(s.start_ns);
  }) == 1);
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<int64_t>{1, 2, 3});
  // The exited thread's ring is gone; its counts are not.
  CHECK(buffers.rings() == 1);
  CHECK(buffers.pushed() == 3);
  // Another engine's buffers are a different ring on the same thread.
  span_buffers second{8};
  CHECK(second.local() != buffers.local());
}

TEST_CASE("span buffers count the spans a full ring dropped, over all "
          "threads") {
  span_buffers buffers{2};
  std::thread t{[&] {
    for (int i = 0; i < 5; ++i)
      buffers.local()->try_push(slot_at(i));
  }};
  t.join();
  CHECK(buffers.dropped() == 3);
  buffers.drain(10, [](span_slot&) {});
  // Retired with its ring, still counted.
  CHECK(buffers.rings() == 0);
  CHECK(buffers.dropped() == 3);
  CHECK(buffers.pushed() == 2);
}

TEST_CASE("closed span buffers take no more spans: a thread lets go of its "
          "ring at its next span and counts the span, and spans left "
          "undrained at close are counted too") {
  auto before = span_buffers::ended_after_close();
  auto buffers = std::make_unique<span_buffers>(8);
  auto id = buffers->id();
  CHECK(span_buffers::push(id, slot_at(1)));
  CHECK(span_buffers::push(id, slot_at(2)));
  REQUIRE(buffers->rings() == 1);
  buffers->close();
  // The two spans nobody will drain now.
  CHECK(span_buffers::ended_after_close() == before + 2);
  CHECK_FALSE(span_buffers::push(id, slot_at(3)));
  CHECK(span_buffers::ended_after_close() == before + 3);
  CHECK(buffers->local() == nullptr);
  // Gone altogether: pushing by its id touches nothing and is counted.
  buffers.reset();
  CHECK_FALSE(span_buffers::push(id, slot_at(4)));
  CHECK(span_buffers::ended_after_close() == before + 4);
}

TEST_CASE("a thread keeps no ring of span buffers that are gone: it drops "
          "it when it next records, into any engine") {
  std::thread t{[] {
    {
      span_buffers first{1 << 16};
      REQUIRE(span_buffers::push(first.id(), slot_at(1)));
      CHECK(span_buffers::rings_of_this_thread() == 1);
    }
    // Closed, not yet let go: this thread has not recorded since.
    CHECK(span_buffers::rings_of_this_thread() == 1);
    span_buffers second{8};
    REQUIRE(span_buffers::push(second.id(), slot_at(2)));
    // The dead engine's ring is freed, only the new one is held.
    CHECK(span_buffers::rings_of_this_thread() == 1);
    second.close();
    CHECK_FALSE(span_buffers::push(second.id(), slot_at(3)));
    CHECK(span_buffers::rings_of_this_thread() == 0);
  }};
  t.join();
}
