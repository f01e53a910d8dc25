#pragma once

// WebSocket framing (RFC 6455 §5) as the server side speaks it, in plain
// types: the header of a frame it sends, and a reader that turns the bytes
// a client sends into whole messages and control frames, enforcing the
// protocol (masking, fragmentation, control frame rules, UTF-8 text, a
// message size bound) and inflating permessage-deflate messages (RFC 7692).
// No sockets here: the session feeds bytes in and writes what it is given.

#include "runtime/gateway/websocket/deflate.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace argus::gateway::websocket {

enum class opcode : uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xa,
};

/// The close codes the server sends (RFC 6455 §7.4.1).
enum class close_code : uint16_t {
  normal = 1000,
  going_away = 1001,
  protocol_error = 1002,
  /// Sent as "no code" when a close frame carried none (never on the wire).
  no_status = 1005,
  invalid_payload = 1007,
  policy_violation = 1008,
  too_big = 1009,
  internal_error = 1011,
  try_again_later = 1013,
};

/// The header of an unmasked server frame with `payload` bytes (at most 10
/// bytes). `compressed` sets RSV1: the payload is a deflated message.
std::string frame_header(opcode op, size_t payload, bool compressed = false);

/// A close frame's payload: the code and a reason (cut to fit the 125 bytes
/// a control frame may carry, on a UTF-8 boundary).
std::string close_payload(close_code code, std::string_view reason = {});

/// A whole frame: header and payload (for control frames and tests).
std::string frame(opcode op, std::string_view payload, bool compressed = false);

/// What the reader found.
struct read_event {
  enum class kind {
    /// A whole data message (`payload`, inflated; `binary` if it was one).
    message,
    ping,
    pong,
    /// The client closes (`code`, `payload` the reason).
    close,
    /// The client broke the protocol: close with `code`, `payload` why.
    error,
  };
  kind what = kind::message;
  bool binary = false;
  close_code code = close_code::normal;
  std::string payload;
};

class frame_reader {
public:
  /// `message_max`: largest message, after inflating (more: 1009).
  /// `deflate`: permessage-deflate was negotiated (RSV1 allowed on the first
  /// frame of a data message); `client_no_context_takeover`: the client
  /// resets its compressor after each message.
  frame_reader(size_t message_max, bool deflate,
               bool client_no_context_takeover = false);

  /// Appends bytes received.
  void feed(std::string_view bytes);

  /// @returns the next event complete in what was fed, or nothing (more
  ///          bytes needed). After an `error` it returns nothing more.
  std::optional<read_event> next();

  /// Bytes fed and not yet consumed (bounded by a frame's size limit).
  size_t buffered() const noexcept {
    return buf_.size() - pos_;
  }

private:
  std::optional<read_event> fail(close_code code, std::string why);
  std::optional<read_event> finish_message();

  size_t message_max_;
  bool deflate_;
  std::string buf_;
  size_t pos_ = 0;
  /// A data message under way (between its first and final frame).
  bool in_message_ = false;
  bool message_binary_ = false;
  bool message_compressed_ = false;
  std::string message_;
  std::optional<message_inflater> inflater_;
  bool client_no_context_takeover_;
  bool failed_ = false;
};

} // namespace argus::gateway::websocket
