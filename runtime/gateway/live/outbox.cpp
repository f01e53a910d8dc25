#include "runtime/gateway/live/outbox.hpp"

#include <nlohmann/json.hpp>

namespace argus::gateway::live {

std::string dropped_notice(topic t, uint64_t count, uint64_t first_seq,
                           uint64_t last_seq) {
  return nlohmann::json{{"type", "dropped"},
                        {"topic", to_string(t)},
                        {"count", count},
                        {"first_seq", first_seq},
                        {"last_seq", last_seq}}
    .dump();
}

void outbox::drop_one(topic t) {
  auto victim = static_cast<size_t>(t);
  if (queues_[victim].empty())
    for (size_t i = 0; i < topic_count; ++i)
      if (queues_[i].size() > queues_[victim].size())
        victim = i;
  auto& q = queues_[victim];
  if (q.empty())
    return;
  auto& gone = q.front();
  lose(static_cast<topic>(victim), gone.m.seq);
  bytes_ -= gone.m.text ? gone.m.text->size() : 0;
  q.pop_front();
}

void outbox::lose(topic t, uint64_t seq) {
  auto& l = lost_[static_cast<size_t>(t)];
  if (l.count == 0)
    l.first_seq = seq;
  l.last_seq = seq;
  ++l.count;
  ++dropped_since_take_;
  ++dropped_total_;
}

outbox::offer_result outbox::offer(published m) {
  auto size = m.text ? m.text->size() : 0;
  if (size > limits_.max_bytes) {
    // Alone over the bound: it is the one dropped, nothing else.
    lose(m.on, m.seq);
  } else {
    bool dropping = false;
    for (auto n = messages();
         n > 0
         && (n + 1 > limits_.max_messages || bytes_ + size > limits_.max_bytes);
         n = messages()) {
      drop_one(m.on);
      dropping = true;
    }
    auto t = static_cast<size_t>(m.on);
    bytes_ += size;
    queues_[t].push_back({next_arrival_++, std::move(m)});
    if (!dropping)
      return offer_result::queued;
  }
  return dropped_since_take_ >= limits_.close_after_dropped
           ? offer_result::close
           : offer_result::queued_dropping;
}

std::optional<outbox::frame> outbox::take() {
  // The topic whose oldest message came first.
  size_t next = topic_count;
  for (size_t i = 0; i < topic_count; ++i)
    if (!queues_[i].empty()
        && (next == topic_count
            || queues_[i].front().arrival < queues_[next].front().arrival))
      next = i;
  // A loss with nothing left of its topic is told on its own.
  for (size_t i = 0; i < topic_count; ++i)
    if (lost_[i].count > 0 && (i == next || queues_[i].empty())) {
      auto l = std::exchange(lost_[i], loss{});
      dropped_since_take_ = 0;
      return frame{std::make_shared<const std::string>(dropped_notice(
                     static_cast<topic>(i), l.count, l.first_seq, l.last_seq)),
                   true};
    }
  if (next == topic_count)
    return std::nullopt;
  auto& q = queues_[next];
  auto m = std::move(q.front().m);
  q.pop_front();
  bytes_ -= m.text ? m.text->size() : 0;
  dropped_since_take_ = 0;
  return frame{std::move(m.text), false};
}

} // namespace argus::gateway::live
