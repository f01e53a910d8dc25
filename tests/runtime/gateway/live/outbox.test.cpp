#include "runtime/gateway/live/outbox.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace argus::gateway::live;
using nlohmann::json;

namespace {

published message(topic t, uint64_t seq, size_t bytes = 10) {
  auto text = std::string{to_string(t)} + "#" + std::to_string(seq);
  text.resize(std::max(text.size(), bytes), '.');
  return {t, seq, std::make_shared<const std::string>(text)};
}

/// Everything the outbox hands out, in order: a message as `topic#seq`, a
/// notice as `dropped topic count first..last`.
std::vector<std::string> drain(outbox& box) {
  std::vector<std::string> out;
  while (auto f = box.take()) {
    if (f->notice) {
      auto j = json::parse(*f->text);
      out.push_back("dropped " + j["topic"].get<std::string>() + " "
                    + std::to_string(j["count"].get<uint64_t>()) + " "
                    + std::to_string(j["first_seq"].get<uint64_t>()) + ".."
                    + std::to_string(j["last_seq"].get<uint64_t>()));
    } else {
      out.push_back(f->text->substr(0, f->text->find('.')));
    }
  }
  return out;
}

} // namespace

TEST_CASE("an outbox hands messages out in arrival order across topics") {
  outbox box;
  CHECK(box.offer(message(topic::metrics, 1)) == outbox::offer_result::queued);
  CHECK(box.offer(message(topic::alerts, 1)) == outbox::offer_result::queued);
  CHECK(box.offer(message(topic::metrics, 2)) == outbox::offer_result::queued);
  CHECK(box.messages() == 3);
  CHECK(box.bytes() == 30);
  CHECK(drain(box)
        == std::vector<std::string>{"metrics#1", "alerts#1", "metrics#2"});
  CHECK(box.messages() == 0);
  CHECK(box.bytes() == 0);
  CHECK_FALSE(box.take());
}

TEST_CASE("a full outbox drops the oldest of the topic that overflows, keeps "
          "a rare topic's message, and tells the client before that topic's "
          "next message") {
  outbox box{{4, 1 << 20, 1000}};
  box.offer(message(topic::alerts, 1));
  for (uint64_t s = 1; s <= 3; ++s)
    box.offer(message(topic::traces, s));
  // Full: traces 4..6 push out traces 1..3, never the alert.
  for (uint64_t s = 4; s <= 6; ++s)
    CHECK(box.offer(message(topic::traces, s))
          == outbox::offer_result::queued_dropping);
  CHECK(box.messages() == 4);
  CHECK(box.dropped() == 3);
  CHECK(drain(box)
        == std::vector<std::string>{"alerts#1", "dropped traces 3 1..3",
                                    "traces#4", "traces#5", "traces#6"});
  // A topic with nothing waiting takes room from the busiest one.
  outbox other{{2, 1 << 20, 1000}};
  other.offer(message(topic::metrics, 1));
  other.offer(message(topic::metrics, 2));
  other.offer(message(topic::status, 1));
  CHECK(drain(other)
        == std::vector<std::string>{"dropped metrics 1 1..1", "metrics#2",
                                    "status#1"});
}

TEST_CASE("an outbox is bounded in bytes too, and drops a message larger "
          "than its bound on arrival") {
  outbox box{{100, 100, 1000}};
  box.offer(message(topic::metrics, 1, 40));
  box.offer(message(topic::metrics, 2, 40));
  CHECK(box.offer(message(topic::metrics, 3, 40))
        == outbox::offer_result::queued_dropping);
  CHECK(box.bytes() == 80);
  CHECK(box.offer(message(topic::traces, 1, 101))
        == outbox::offer_result::queued_dropping);
  CHECK(box.bytes() <= 100);
  auto got = drain(box);
  CHECK(got
        == std::vector<std::string>{"dropped metrics 1 1..1",
                                    "dropped traces 1 1..1", "metrics#2",
                                    "metrics#3"});
}

TEST_CASE("a client that takes nothing is closed after the bound of drops, "
          "and one that reads again starts over") {
  outbox box{{8, 1 << 20, 20}};
  uint64_t seq = 0;
  outbox::offer_result last = outbox::offer_result::queued;
  int offers = 0;
  while (last != outbox::offer_result::close && offers < 1000) {
    last = box.offer(message(topic::metrics, ++seq));
    ++offers;
  }
  CHECK(last == outbox::offer_result::close);
  CHECK(offers == 8 + 20);
  CHECK(box.messages() <= 8);
  // Reading resets the count: the next overflow drops, and does not close.
  outbox reader{{8, 1 << 20, 20}};
  for (int i = 0; i < 1000; ++i) {
    CHECK(reader.offer(message(topic::metrics, static_cast<uint64_t>(i + 1)))
          != outbox::offer_result::close);
    if (i % 10 == 0)
      reader.take();
  }
  CHECK(reader.messages() <= 8);
}
