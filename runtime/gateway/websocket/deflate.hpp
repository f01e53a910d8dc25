#pragma once

// permessage-deflate (RFC 7692) without a compressor per connection. The
// server negotiates server_no_context_takeover, so each message it sends is
// compressed on its own: a message published to 200 clients is deflated
// once and the same bytes go to all of them (as gorilla/websocket's
// PreparedMessage and uWebSockets' shared compressor do). Per-connection
// compressors would deflate a 50 KB dashboard snapshot 200 times per
// interval on the I/O threads; that was the fan-out's latency.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace argus::gateway::websocket {

/// `text` deflated as one permessage-deflate message with no context: raw
/// deflate at level 1, sync-flushed, the final empty block's 00 00 ff ff
/// removed (§7.2.1). Level 1: several times faster than zlib's default for a
/// few percent more bytes on the dashboard's JSON (docs/PERFORMANCE.md).
std::string deflate_message(std::string_view text);

/// Messages below this many bytes go uncompressed (RSV1 clear, allowed per
/// message): deflate's few bytes of framing buy nothing on them.
constexpr size_t deflate_threshold = 128;

/// The deflated form of shared texts, made once per text whatever the
/// number of connections (and threads) sending it. A text is known by its
/// identity (the object the shared pointer owns), so no text is hashed; an
/// entry is forgotten once its text is gone.
class shared_deflate {
public:
  /// @returns `text` deflated (see `deflate_message`), computed once for as
  ///          long as `text` lives.
  std::shared_ptr<const std::string>
  get(const std::shared_ptr<const std::string>& text);

  /// Entries held (texts alive or not yet swept).
  size_t entries() const;

  /// Texts deflated so far (each once).
  uint64_t deflated() const noexcept {
    return deflated_.load(std::memory_order_relaxed);
  }

private:
  struct entry {
    std::weak_ptr<const std::string> text;
    std::once_flag once;
    std::shared_ptr<const std::string> deflated;
  };
  mutable std::mutex mtx_;
  std::unordered_map<const std::string*, std::shared_ptr<entry>> map_;
  /// Expired entries are swept when the map reaches this size (then twice
  /// what is left), so a sweep costs O(1) per insertion amortised.
  size_t sweep_at_ = 64;
  std::atomic<uint64_t> deflated_{0};
};

/// Inflates a client's compressed messages. zlib's state (and its 32 KiB
/// window) exists only once the client sent a compressed message: an idle
/// connection costs nothing here.
class message_inflater {
public:
  /// `no_context_takeover`: the client resets its compressor after each
  /// message, so the inflater does too.
  explicit message_inflater(bool no_context_takeover);
  ~message_inflater();
  message_inflater(const message_inflater&) = delete;
  message_inflater& operator=(const message_inflater&) = delete;

  enum class result { ok, too_big, corrupt };
  /// Inflates one message's payload (the frames' payloads joined) into
  /// `out`, at most `max` bytes.
  result inflate(std::string_view compressed, size_t max, std::string& out);

private:
  struct state;
  std::unique_ptr<state> z_;
  bool reset_each_;
};

} // namespace argus::gateway::websocket
