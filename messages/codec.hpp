#pragma once

#include "messages/error.hpp"
#include "messages/events.hpp"

#include <caf/expected.hpp>
#include <msgpack.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

/// The msgpack wire format. A message body is a msgpack map keyed by field
/// name. An envelope (what the ingest port and `argusd --ingest` read) is a
/// 2-array `[type_name, body]`; a frame is a 4-byte big-endian length followed
/// by one envelope. Every decode bounds msgpack's allocations by the frame
/// size, so a 5-byte frame cannot ask for 96 GiB.
namespace argus::codec {

/// The largest frame the decoder accepts by default.
inline constexpr size_t default_max_frame_size = 1u << 20;

/// The deepest nesting accepted inside one message.
inline constexpr size_t max_depth = 16;

/// Unpacks `bytes` into a msgpack object whose sizes are bounded by
/// `bytes.size()`: containers may not announce more elements than bytes
/// follow, so a frame's decoding costs time and memory in proportion to the
/// frame. Malformed or trailing bytes, and strings that are not UTF-8, are
/// `ec::protocol_violation` (nothing is repaired).
caf::expected<msgpack::object_handle> unpack_bounded(std::string_view bytes);

/// msgpack's packer writes to anything with `write`: this one appends to
/// a string, so an encoding costs its own allocation only.
struct string_sink {
  std::string& out;
  void write(const char* data, size_t size) {
    out.append(data, size);
  }
};

/// Encodes one message body.
template <class T>
std::string encode(const T& x) {
  std::string out;
  string_sink sink{out};
  msgpack::pack(sink, x);
  return out;
}

/// Runs `conv` (which converts `obj` into `*out`) and turns msgpack's
/// exceptions into `ec::protocol_violation` naming `type_name`.
caf::error convert(const msgpack::object& obj, std::string_view type_name,
                   void* out, void (*conv)(const msgpack::object&, void*));

/// Decodes one message body of type `T`.
template <class T>
caf::expected<T> decode(std::string_view bytes) {
  auto handle = unpack_bounded(bytes);
  if (!handle)
    return std::move(handle.error());
  T result;
  if (auto err = convert(handle->get(), "message", &result,
                         [](const msgpack::object& o, void* ptr) {
                           o.convert(*static_cast<T*>(ptr));
                         }))
    return err;
  if (result.hdr.version > T::version)
    return caf::make_error(ec::unsupported_version,
                           static_cast<uint32_t>(result.hdr.version));
  return result;
}

/// @returns the wire name of the event's type, e.g. `"span_recorded"`.
const char* type_name(const inbound_event& x);

/// @returns the wire name of the `inbound_event` alternative at `index`
/// (`"unknown"` past the last).
const char* type_name(size_t index);

/// Encodes `x` as an envelope `[type_name, body]` (no length prefix).
std::string encode_event(const inbound_event& x);

/// Decodes an envelope.
caf::expected<inbound_event> decode_event(std::string_view bytes);

/// Prefixes `envelope` with its 4-byte big-endian length.
std::string frame(std::string_view envelope);

/// Splits a byte stream into frames and decodes each. A malformed frame is
/// reported and skipped; an oversized length prefix cannot be skipped safely
/// (the stream may be garbage), so the decoder then fails for good.
class frame_decoder {
public:
  explicit frame_decoder(size_t max_frame_size = default_max_frame_size)
      : max_frame_size_(max_frame_size) {
  }

  /// Appends received bytes.
  void append(std::string_view bytes);

  /// @returns the next decoded event, an error for a rejected frame, or
  ///          `std::nullopt` when more bytes are needed.
  std::optional<caf::expected<inbound_event>> next();

  /// @returns whether the stream is unusable (oversized length prefix).
  bool failed() const noexcept {
    return failed_;
  }

  /// @returns bytes buffered but not yet decoded.
  size_t buffered() const noexcept {
    return buf_.size() - pos_;
  }

  uint64_t frames_accepted() const noexcept {
    return accepted_;
  }

  uint64_t frames_rejected() const noexcept {
    return rejected_;
  }

private:
  size_t max_frame_size_;
  std::string buf_;
  size_t pos_ = 0;
  bool failed_ = false;
  uint64_t accepted_ = 0;
  uint64_t rejected_ = 0;
};

} // namespace argus::codec
