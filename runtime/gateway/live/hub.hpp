#pragma once

// The fan-out of live topics: the engine publishes each message once; the
// hub numbers it per topic, renders it once, and offers it to the outbox of
// every connection whose subscriptions want it. Nothing here waits on a
// client: a slow one loses its oldest messages, one that stops reading is
// told to close.

#include "runtime/gateway/live/outbox.hpp"
#include "runtime/gateway/live/subscriptions.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace argus::gateway::live {

class hub;

/// One client as the hub sees it. Its socket side calls `take` when told
/// that something waits, and `subscribe`/`unsubscribe` as requests come.
class connection {
public:
  /// Called, outside every lock, when the outbox went from empty to not
  /// empty (`close` false) or the client must be closed (`close` true).
  using notify = std::function<void(bool close)>;

  connection(outbox_limits limits, notify n)
      : box_(limits), notify_(std::move(n)) {
  }

  /// Replaces what is called (for a socket that exists only after the
  /// connection was attached).
  void set_notify(notify n);

  void subscribe(topic t, filter f);
  bool unsubscribe(topic t);
  /// Queues an answer to this client alone (sent before published
  /// messages; at most `max_replies` wait, older ones are dropped).
  void reply(std::string text);
  static constexpr size_t max_replies = 16;
  std::optional<outbox::frame> take();
  /// Messages waiting, and messages dropped so far.
  size_t waiting() const;
  uint64_t dropped() const;

private:
  friend class hub;

  /// What `offer` did: not wanted (closing, or not subscribed, or
  /// filtered out), queued, or queued and `notify_` is due, with what.
  enum class after { unwanted, queued, wake, close };
  /// `dropped` grows by the messages it dropped to make room.
  after offer(topic t, const message_facts& facts,
              const std::shared_ptr<const std::string>& text, uint64_t seq,
              uint64_t& dropped);

  /// Calls the notify of the moment (outside the lock).
  void fire(bool close);

  mutable std::mutex mtx_;
  subscriptions subs_;
  std::deque<std::shared_ptr<const std::string>> replies_;
  outbox box_;
  bool closing_ = false;
  notify notify_;
};

class hub {
public:
  /// @returns a new connection, receiving from now on.
  std::shared_ptr<connection> attach(outbox_limits limits,
                                     connection::notify n);
  void detach(const std::shared_ptr<connection>& c);

  /// Publishes one message of `t`: `render(seq)` makes its text (called
  /// once; it is also the topic's `last`). Every message of a topic
  /// takes the next seq, so a filter leaves gaps; what a client lost to
  /// its bound it is told by a `dropped` notice. @returns its seq.
  uint64_t publish(topic t, const message_facts& facts,
                   const std::function<std::string(uint64_t seq)>& render);

  /// @returns whether any connection subscribes to `t` (so a publisher can
  ///          skip building a message nobody reads).
  bool wanted(topic t) const;

  size_t connections() const;

  /// The last message of `t` (a snapshot), or nullptr.
  std::shared_ptr<const std::string> last(topic t) const;
  /// The seq of the last message of `t` (0: none yet).
  uint64_t last_seq(topic t) const;

  /// Counters for /metrics and /api/status.
  struct counters {
    std::array<uint64_t, topic_count> published{};
    uint64_t offered = 0;
    /// Messages slow clients lost (each was told with a `dropped` notice).
    uint64_t dropped = 0;
    uint64_t closed_slow = 0;
  };
  counters stats() const;

private:
  mutable std::mutex mtx_;
  std::vector<std::shared_ptr<connection>> connections_;
  std::array<uint64_t, topic_count> seq_{};
  std::array<std::shared_ptr<const std::string>, topic_count> last_{};
  counters stats_;
};

} // namespace argus::gateway::live
