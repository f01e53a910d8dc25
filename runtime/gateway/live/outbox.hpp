#pragma once

// What waits to be sent to one WebSocket client. Bounded: a client that
// reads slower than messages come loses the oldest messages of the topic
// that overflows (and is told how many), and one that stops reading is
// closed, so it never slows the engine or the other clients.

#include "runtime/gateway/live/subscriptions.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace argus::gateway::live {

/// One message of a topic, serialised once for every client.
struct published {
  topic on = topic::metrics;
  /// Per topic, from 1: a client sees a gap as a jump.
  uint64_t seq = 0;
  std::shared_ptr<const std::string> text;
};

/// The bounds of one outbox.
struct outbox_limits {
  /// Messages waiting, over all topics; one more drops the oldest.
  size_t max_messages = 256;
  /// Bytes waiting, over all topics; more drops the oldest too.
  size_t max_bytes = 4 * 1024 * 1024;
  /// Messages dropped since the client last took one after which it is
  /// closed (1013, try again later) instead.
  uint64_t close_after_dropped = 4096;
};

class outbox {
public:
  explicit outbox(outbox_limits limits = {}) : limits_(limits) {
  }

  enum class offer_result {
    queued,
    /// Queued, and older messages were dropped to make room.
    queued_dropping,
    /// The client has not taken anything for too long: close it.
    close,
  };

  offer_result offer(published m);

  /// What to send next: a `dropped` notice for a topic that lost messages
  /// comes before that topic's next message.
  struct frame {
    std::shared_ptr<const std::string> text;
    /// A notice, not a published message.
    bool notice = false;
  };
  std::optional<frame> take();

  size_t messages() const noexcept {
    size_t n = 0;
    for (const auto& q : queues_)
      n += q.size();
    return n;
  }
  size_t bytes() const noexcept {
    return bytes_;
  }
  /// Messages dropped since the start.
  uint64_t dropped() const noexcept {
    return dropped_total_;
  }

private:
  struct queued {
    /// Arrival order over all topics: the oldest goes first.
    uint64_t arrival;
    published m;
  };

  /// Drops the oldest message of `t`, or, if `t` has none waiting, of the
  /// topic with the most waiting.
  void drop_one(topic t);

  /// Counts message `seq` of `t` as dropped, to be told.
  void lose(topic t, uint64_t seq);

  outbox_limits limits_;
  std::array<std::deque<queued>, topic_count> queues_;
  /// Per topic: dropped and not yet told, and the first and last seq lost.
  struct loss {
    uint64_t count = 0;
    uint64_t first_seq = 0;
    uint64_t last_seq = 0;
  };
  std::array<loss, topic_count> lost_{};
  uint64_t next_arrival_ = 0;
  size_t bytes_ = 0;
  uint64_t dropped_since_take_ = 0;
  uint64_t dropped_total_ = 0;
};

/// The `dropped` notice: `{"type":"dropped","topic":"traces","count":12,
/// "first_seq":40,"last_seq":51}`.
std::string dropped_notice(topic t, uint64_t count, uint64_t first_seq,
                           uint64_t last_seq);

} // namespace argus::gateway::live
