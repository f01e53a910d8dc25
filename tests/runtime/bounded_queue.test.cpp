#include "runtime/bounded_queue.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <vector>

using argus::runtime::bounded_queue;

TEST_CASE("bounded_queue is FIFO and refuses a push when full") {
  bounded_queue<std::string> q{3}; // rounded up to 4
  CHECK(q.capacity() == 4);
  for (int i = 0; i < 4; ++i) {
    std::string s = "v" + std::to_string(i);
    REQUIRE(q.try_push(s));
    CHECK(s.empty()); // moved in
  }
  std::string extra = "extra";
  CHECK(!q.try_push(extra));
  CHECK(extra == "extra"); // left alone when refused
  CHECK(q.size_approx() == 4);
  std::string out;
  for (int i = 0; i < 4; ++i) {
    REQUIRE(q.try_pop(out));
    CHECK(out == "v" + std::to_string(i));
  }
  CHECK(!q.try_pop(out));
  CHECK(q.try_push(extra)); // room again after popping
}

TEST_CASE("bounded_queue loses nothing with concurrent producers") {
  bounded_queue<int> q{1024};
  constexpr int per_thread = 20000;
  std::atomic<int> refused{0};
  std::atomic<bool> done{false};
  std::vector<int> seen;
  std::thread consumer{[&] {
    int v;
    while (!done.load() || q.size_approx() > 0)
      if (q.try_pop(v))
        seen.push_back(v);
  }};
  std::vector<std::thread> producers;
  for (int t = 0; t < 2; ++t)
    producers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        int v = t * per_thread + i;
        while (!q.try_push(v))
          refused.fetch_add(1);
      }
    });
  for (auto& p : producers)
    p.join();
  done.store(true);
  consumer.join();
  REQUIRE(seen.size() == 2 * per_thread);
  std::set<int> unique(seen.begin(), seen.end());
  CHECK(unique.size() == 2 * per_thread);
  // Each producer's values come out in its own order.
  int last[2] = {-1, -1};
  for (auto v : seen) {
    auto t = v / per_thread;
    CHECK(v > last[t]);
    last[t] = v;
  }
}

TEST_CASE("bounded_queue::try_pop_copy leaves the value for the producer "
          "that reuses the cell to destroy") {
  argus::runtime::bounded_queue<std::shared_ptr<int>> q{2};
  auto first = std::make_shared<int>(1);
  auto x = first;
  REQUIRE(q.try_push(x));
  std::shared_ptr<int> out;
  REQUIRE(q.try_pop_copy(out));
  CHECK(*out == 1);
  out.reset();
  // The cell still holds it: the consumer freed nothing.
  CHECK(first.use_count() == 2);
  // The second cell, then the first again: that push releases `first`.
  auto second = std::make_shared<int>(2);
  REQUIRE(q.try_push(second));
  CHECK(first.use_count() == 2);
  auto third = std::make_shared<int>(3);
  REQUIRE(q.try_push(third));
  CHECK(first.use_count() == 1);
  REQUIRE(q.try_pop_copy(out));
  CHECK(*out == 2);
  REQUIRE(q.try_pop_copy(out));
  CHECK(*out == 3);
  CHECK(!q.try_pop_copy(out));
}

namespace {

/// A value whose copy throws while `fail_copies` is set, as an event's copy
/// does when it cannot allocate.
struct fragile {
  static inline bool fail_copies = false;
  int value = 0;
  fragile() = default;
  explicit fragile(int v) : value(v) {
  }
  fragile(const fragile& other) : value(other.value) {
    if (fail_copies)
      throw std::bad_alloc{};
  }
  fragile& operator=(const fragile& other) {
    if (fail_copies)
      throw std::bad_alloc{};
    value = other.value;
    return *this;
  }
  fragile(fragile&&) noexcept = default;
  fragile& operator=(fragile&&) noexcept = default;
};

} // namespace

TEST_CASE("bounded_queue hands a cell back when taking its value throws, so "
          "the queue keeps working") {
  argus::runtime::bounded_queue<fragile> q{2};
  for (int i = 1; i <= 2; ++i) {
    fragile x{i};
    REQUIRE(q.try_push(x));
  }
  fragile out;
  fragile::fail_copies = true;
  CHECK_THROWS_AS(q.try_pop_copy(out), std::bad_alloc);
  fragile::fail_copies = false;
  REQUIRE(q.try_pop_copy(out));
  CHECK(out.value == 2);
  // Both cells are free again: a whole queue's worth goes in and out, many
  // times around.
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 2; ++i) {
      fragile x{round * 10 + i};
      REQUIRE(q.try_push(x));
    }
    for (int i = 0; i < 2; ++i) {
      REQUIRE(q.try_pop_copy(out));
      CHECK(out.value == round * 10 + i);
    }
  }
}
