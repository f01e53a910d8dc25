#pragma once

// One stream of msgpack frames from a bot in another process (argusd's
// standard input today; a connection of the ingest port the same way) and
// the answers it gets back, one line each, on its ack channel:
//
//   ack <corr> committed=<rows>      everything before the flush is in SQLite
//   nack <corr> <reason>             something before it is not
//   reject <frame> <reason>          frame number <frame> (from 1) was refused
//   ingest eof|closed accepted=<n> rejected=<n> ack committed=<rows>
//   ingest eof|closed accepted=<n> rejected=<n> nack <reason>
//                                    the stream ended (or its framing broke):
//                                    what was read is handed over and
//                                    committed, and this is the last line
//
// A flush without a correlation id gets one minted, echoed in its answer.

#include "messages/codec.hpp"
#include "runtime/engine.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace argus::runtime {

class wire_session {
public:
  /// Receives each answer line (without its newline).
  using answer_fn = std::function<void(const std::string&)>;

  wire_session(engine& eng, answer_fn answer);

  /// Decodes what `bytes` completes and hands it to the engine, waiting
  /// (not dropping) while the engine's queue is full, until `stop`.
  /// @returns false once the stream is over: its framing broke (a length
  ///          outside the limit), the engine stopped taking events, or
  ///          `stop` was set. After a broken framing, `finish` is due.
  bool feed(std::string_view bytes, const std::atomic<bool>& stop);

  /// Ends the stream: hands over and commits what it read, and answers the
  /// final `ingest eof|closed ...` line. Idempotent.
  void finish();

  /// Whether the framing broke (the stream is closed, not at its end).
  bool broken() const noexcept {
    return decoder_.failed();
  }

  uint64_t frames_accepted() const noexcept {
    return decoder_.frames_accepted() - refused_;
  }

  uint64_t frames_rejected() const noexcept {
    return decoder_.frames_rejected() + refused_;
  }

private:
  /// Answers a flush: ack or nack with its correlation id.
  void answer_flush(const correlation_id& corr);

  /// Offers `event` until the engine takes it. @returns false if the engine
  /// no longer accepts events or `stop` is set.
  bool offer_until_taken(inbound_event& event, const std::atomic<bool>& stop);

  engine& eng_;
  answer_fn answer_;
  std::shared_ptr<spdlog::logger> log_;
  codec::frame_decoder decoder_;
  /// Frames that decoded but were refused by the admission checks.
  uint64_t refused_ = 0;
  bool finished_ = false;
};

} // namespace argus::runtime
