#include "runtime/gateway/websocket/frames.hpp"

#include "messages/utf8.hpp"

namespace argus::gateway::websocket {

std::string frame_header(opcode op, size_t payload, bool compressed) {
  std::string h;
  h.reserve(10);
  h.push_back(static_cast<char>(0x80 | (compressed ? 0x40 : 0)
                                | static_cast<uint8_t>(op)));
  if (payload < 126) {
    h.push_back(static_cast<char>(payload));
  } else if (payload <= 0xffff) {
    h.push_back(static_cast<char>(126));
    h.push_back(static_cast<char>(payload >> 8));
    h.push_back(static_cast<char>(payload & 0xff));
  } else {
    h.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8)
      h.push_back(static_cast<char>((uint64_t{payload} >> shift) & 0xff));
  }
  return h;
}

std::string close_payload(close_code code, std::string_view reason) {
  auto c = static_cast<uint16_t>(code);
  std::string p;
  p.push_back(static_cast<char>(c >> 8));
  p.push_back(static_cast<char>(c & 0xff));
  // 125 bytes in all; a cut never splits a UTF-8 sequence.
  if (reason.size() > 123) {
    size_t n = 123;
    while (n > 0 && (static_cast<uint8_t>(reason[n]) & 0xc0) == 0x80)
      --n;
    reason = reason.substr(0, n);
  }
  p.append(reason);
  return p;
}

std::string frame(opcode op, std::string_view payload, bool compressed) {
  auto f = frame_header(op, payload.size(), compressed);
  f.append(payload);
  return f;
}

frame_reader::frame_reader(size_t message_max, bool deflate,
                           bool client_no_context_takeover)
    : message_max_(message_max),
      deflate_(deflate),
      client_no_context_takeover_(client_no_context_takeover) {
}

void frame_reader::feed(std::string_view bytes) {
  if (failed_)
    return;
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

std::optional<read_event> frame_reader::fail(close_code code, std::string why) {
  failed_ = true;
  buf_.clear();
  pos_ = 0;
  message_.clear();
  read_event e;
  e.what = read_event::kind::error;
  e.code = code;
  e.payload = std::move(why);
  return e;
}

namespace {

bool valid_close_code(uint16_t c) {
  // §7.4: 1004-1006 and 1015 are never sent; 1016-2999 are unassigned.
  if (c >= 3000 && c <= 4999)
    return true;
  return c >= 1000 && c <= 1014 && c != 1004 && c != 1005 && c != 1006;
}

} // namespace

std::optional<read_event> frame_reader::next() {
  while (!failed_) {
    auto avail = buf_.size() - pos_;
    if (avail < 2)
      return std::nullopt;
    auto p = reinterpret_cast<const uint8_t*>(buf_.data() + pos_);
    bool fin = p[0] & 0x80;
    bool rsv1 = p[0] & 0x40;
    auto op = static_cast<uint8_t>(p[0] & 0x0f);
    bool masked = p[1] & 0x80;
    uint64_t len = p[1] & 0x7f;
    if (p[0] & 0x30)
      return fail(close_code::protocol_error, "reserved bits RSV2/RSV3 set");
    if (!masked)
      return fail(close_code::protocol_error, "a client frame is not masked");
    size_t header = 2;
    if (len == 126) {
      if (avail < 4)
        return std::nullopt;
      len = (uint64_t{p[2]} << 8) | p[3];
      header = 4;
      if (len < 126)
        return fail(close_code::protocol_error,
                    "a frame length is not minimally encoded");
    } else if (len == 127) {
      if (avail < 10)
        return std::nullopt;
      len = 0;
      for (int i = 0; i < 8; ++i)
        len = (len << 8) | p[2 + i];
      header = 10;
      if (len >> 63)
        return fail(close_code::protocol_error, "a frame length over 2^63");
      if (len <= 0xffff)
        return fail(close_code::protocol_error,
                    "a frame length is not minimally encoded");
    }
    header += 4;
    bool control = op & 0x8;
    if (control) {
      if (op != 0x8 && op != 0x9 && op != 0xa)
        return fail(close_code::protocol_error,
                    "unknown control opcode " + std::to_string(op));
      if (!fin)
        return fail(close_code::protocol_error, "a fragmented control frame");
      if (len > 125)
        return fail(close_code::protocol_error,
                    "a control frame over 125 bytes");
      if (rsv1)
        return fail(close_code::protocol_error, "RSV1 on a control frame");
    } else {
      if (op > 0x2)
        return fail(close_code::protocol_error,
                    "unknown data opcode " + std::to_string(op));
      if (op == 0 && !in_message_)
        return fail(close_code::protocol_error,
                    "a continuation frame with no message under way");
      if (op != 0 && in_message_)
        return fail(close_code::protocol_error,
                    "a new message before the last one ended");
      if (rsv1 && (!deflate_ || op == 0))
        return fail(close_code::protocol_error,
                    deflate_ ? "RSV1 on a continuation frame"
                             : "RSV1 set without permessage-deflate");
      // Checked from the header, before waiting for the payload: what is
      // buffered stays within the bound. Compressed bytes may slightly
      // exceed what they inflate to (stored blocks), hence the slack.
      bool compressed = op == 0 ? message_compressed_ : rsv1;
      uint64_t so_far = op == 0 ? message_.size() : 0;
      uint64_t bound
        = compressed ? message_max_ + message_max_ / 16 + 64 : message_max_;
      if (so_far + len > bound)
        return fail(close_code::too_big, "a message over "
                                           + std::to_string(message_max_)
                                           + " bytes");
    }
    if (avail < header + len)
      return std::nullopt;
    const uint8_t* key = p + header - 4;
    std::string payload(reinterpret_cast<const char*>(p + header), len);
    for (size_t i = 0; i < payload.size(); ++i)
      payload[i] = static_cast<char>(payload[i] ^ key[i & 3]);
    pos_ += header + len;
    if (control) {
      read_event e;
      if (op == 0x9) {
        e.what = read_event::kind::ping;
        e.payload = std::move(payload);
        return e;
      }
      if (op == 0xa) {
        e.what = read_event::kind::pong;
        e.payload = std::move(payload);
        return e;
      }
      e.what = read_event::kind::close;
      if (payload.empty()) {
        e.code = close_code::no_status;
        return e;
      }
      if (payload.size() == 1)
        return fail(close_code::protocol_error, "a close frame of one byte");
      auto c = static_cast<uint16_t>(
        (uint16_t{static_cast<uint8_t>(payload[0])} << 8)
        | static_cast<uint8_t>(payload[1]));
      if (!valid_close_code(c))
        return fail(close_code::protocol_error,
                    "close code " + std::to_string(c) + " is not allowed");
      e.code = static_cast<close_code>(c);
      e.payload = payload.substr(2);
      if (first_invalid_utf8(e.payload))
        return fail(close_code::invalid_payload,
                    "a close reason that is not UTF-8");
      return e;
    }
    if (op != 0) {
      in_message_ = true;
      message_binary_ = op == 0x2;
      message_compressed_ = rsv1;
      message_.clear();
    }
    message_.append(payload);
    if (fin)
      return finish_message();
  }
  return std::nullopt;
}

std::optional<read_event> frame_reader::finish_message() {
  in_message_ = false;
  read_event e;
  e.what = read_event::kind::message;
  e.binary = message_binary_;
  if (message_compressed_) {
    if (!inflater_)
      inflater_.emplace(client_no_context_takeover_);
    switch (inflater_->inflate(message_, message_max_, e.payload)) {
      case message_inflater::result::ok:
        break;
      case message_inflater::result::too_big:
        return fail(close_code::too_big, "a message over "
                                           + std::to_string(message_max_)
                                           + " bytes (inflated)");
      case message_inflater::result::corrupt:
        return fail(close_code::invalid_payload,
                    "a compressed message that does not inflate");
    }
    message_.clear();
  } else {
    e.payload = std::move(message_);
    message_.clear();
  }
  if (!e.binary && first_invalid_utf8(e.payload))
    return fail(close_code::invalid_payload,
                "a text message that is not UTF-8");
  return e;
}

} // namespace argus::gateway::websocket
