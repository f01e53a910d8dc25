#include "runtime/gateway/live/hub.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

using namespace argus;
using namespace argus::gateway::live;
using nlohmann::json;

namespace {

/// A client's side: takes frames until told to stop and nothing waits.
struct reader {
  std::shared_ptr<connection> conn;
  std::vector<json> got;
  std::atomic<bool> stop{false};
  std::thread thread;

  void start() {
    thread = std::thread{[this] {
      for (;;) {
        auto f = conn->take();
        if (f) {
          got.push_back(json::parse(*f->text));
          continue;
        }
        if (stop)
          return;
        std::this_thread::sleep_for(std::chrono::microseconds{50});
      }
    }};
  }

  void finish() {
    stop = true;
    thread.join();
  }

  /// The seqs of `type` messages received, in order.
  std::vector<uint64_t> seqs(const char* type) const {
    std::vector<uint64_t> out;
    for (const auto& j : got)
      if (j["type"] == type)
        out.push_back(j["seq"]);
    return out;
  }
};

std::vector<uint64_t> one_to(uint64_t n) {
  std::vector<uint64_t> v(n);
  for (uint64_t i = 0; i < n; ++i)
    v[i] = i + 1;
  return v;
}

} // namespace

TEST_CASE("the hub numbers each topic's messages, renders each once, keeps "
          "the last as a snapshot, gives "
          "every reader what its filter wants in order, and closes a client "
          "that never reads without holding up the others") {
  hub h;
  std::atomic<int> closes{0};
  reader all;
  reader errors;
  all.conn = h.attach({4096, 1 << 24, 1 << 20}, {});
  errors.conn = h.attach({4096, 1 << 24, 1 << 20}, {});
  auto stuck = h.attach({16, 1 << 20, 50}, [&](bool close) {
    if (close)
      ++closes;
  });
  all.conn->subscribe(topic::traces, {});
  all.conn->subscribe(topic::alerts, {});
  filter only_errors;
  only_errors.errors_only = true;
  errors.conn->subscribe(topic::traces, only_errors);
  stuck->subscribe(topic::traces, {});
  CHECK(h.wanted(topic::traces));
  CHECK_FALSE(h.wanted(topic::metrics));
  all.start();
  errors.start();
  constexpr uint64_t traces = 2000;
  std::atomic<uint64_t> renders{0};
  for (uint64_t i = 0; i < traces; ++i) {
    message_facts facts;
    facts.error = i % 10 == 0;
    h.publish(topic::traces, facts, [&](uint64_t seq) {
      ++renders;
      return json{{"type", "trace"}, {"seq", seq}, {"error", facts.error}}
        .dump();
    });
    if (i % 200 == 0)
      h.publish(topic::alerts, {}, [&](uint64_t seq) {
        ++renders;
        return json{{"type", "alert"}, {"seq", seq}}.dump();
      });
  }
  // Nobody subscribes to metrics: it takes a seq, and is kept as the
  // topic's snapshot.
  CHECK(h.publish(topic::metrics, {}, [&](uint64_t) {
    ++renders;
    return std::string{"{\"snapshot\":1}"};
  }) == 1);
  REQUIRE(h.last(topic::metrics));
  CHECK(*h.last(topic::metrics) == "{\"snapshot\":1}");
  CHECK_FALSE(h.last(topic::status));
  all.finish();
  errors.finish();
  // Rendered once each, however many connections took it.
  CHECK(renders == traces + 10 + 1);
  CHECK(all.seqs("trace") == one_to(traces));
  CHECK(all.seqs("alert") == one_to(10));
  auto error_seqs = errors.seqs("trace");
  REQUIRE(error_seqs.size() == traces / 10);
  for (size_t k = 0; k < error_seqs.size(); ++k)
    CHECK(error_seqs[k] == 10 * k + 1);
  for (const auto& j : errors.got)
    CHECK(j["error"] == true);
  // The client that never read: closed once, holding no more than its bound.
  CHECK(closes == 1);
  CHECK(stuck->waiting() <= 16);
  auto stats = h.stats();
  CHECK(stats.closed_slow == 1);
  // Only the stuck client lost messages: the hub counted each of them.
  CHECK(stats.dropped == stuck->dropped());
  CHECK(stats.dropped >= 50);
  CHECK(stats.published[static_cast<size_t>(topic::traces)] == traces);
  h.detach(stuck);
  CHECK(h.connections() == 2);
  // Once closing, it is offered nothing more.
  auto before = stuck->dropped();
  h.publish(topic::traces, {}, [](uint64_t) {
    return std::string{"{}"};
  });
  CHECK(stuck->dropped() == before);
}

TEST_CASE("a connection is woken when its outbox goes from empty to not "
          "empty, not for every message") {
  hub h;
  int wakes = 0;
  auto c = h.attach({}, [&](bool close) {
    CHECK_FALSE(close);
    ++wakes;
  });
  c->subscribe(topic::status, {});
  auto render = [](uint64_t seq) {
    return std::to_string(seq);
  };
  h.publish(topic::status, {}, render);
  h.publish(topic::status, {}, render);
  CHECK(wakes == 1);
  while (c->take()) {
  }
  h.publish(topic::status, {}, render);
  CHECK(wakes == 2);
  CHECK(c->unsubscribe(topic::status));
  CHECK_FALSE(h.wanted(topic::status));
}

TEST_CASE("a reply to one client goes before its published messages, wakes "
          "it when nothing waited, and at most max_replies wait") {
  hub h;
  int wakes = 0;
  auto c = h.attach({}, [&](bool close) {
    if (!close)
      ++wakes;
  });
  c->subscribe(topic::status, {});
  h.publish(topic::status, {}, [](uint64_t seq) {
    return "published " + std::to_string(seq);
  });
  CHECK(wakes == 1);
  CHECK(h.last_seq(topic::status) == 1);
  CHECK(h.last_seq(topic::metrics) == 0);
  c->reply("answer");
  CHECK(wakes == 1); // something already waited
  auto first = c->take();
  auto second = c->take();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(*first->text == "answer");
  CHECK(*second->text == "published 1");
  CHECK_FALSE(c->take());
  c->reply("alone");
  CHECK(wakes == 2);
  REQUIRE(*c->take()->text == "alone");
  for (size_t i = 0; i < connection::max_replies + 5; ++i)
    c->reply(std::to_string(i));
  std::vector<std::string> got;
  while (auto f = c->take())
    got.push_back(*f->text);
  REQUIRE(got.size() == connection::max_replies);
  CHECK(got.front() == "5");
  CHECK(got.back() == std::to_string(connection::max_replies + 4));
}
