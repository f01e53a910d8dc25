#include "messages/codec.hpp"

#include "messages/utf8.hpp"

#include <array>
#include <cstring>
#include <utility>

namespace argus::codec {

namespace {

// Wire names of `inbound_event`'s alternatives, in the variant's order.
constexpr std::array<const char*, std::variant_size_v<inbound_event>>
  event_names = {
    "span_recorded",
    "request_started",
    "request_finished",
    "metric_sampled",
    "trade_executed",
    "features_observed",
    "prediction_made",
    "label_observed",
    "feature_importance_reported",
    "model_lifecycle_changed",
    "ensemble_recorded",
    "regime_recorded",
    "decision_step_recorded",
    "model_behavior_recorded",
    "flush_requested",
    "baseline_uploaded",
};

caf::error violation(std::string what) {
  return caf::make_error(ec::protocol_violation, std::move(what));
}

template <size_t I = 0>
caf::error convert_alternative(size_t index, const msgpack::object& body,
                               inbound_event& out) {
  if constexpr (I < std::variant_size_v<inbound_event>) {
    if (index != I)
      return convert_alternative<I + 1>(index, body, out);
    using type = std::variant_alternative_t<I, inbound_event>;
    type value;
    if (auto err = convert(body, event_names[I], &value,
                           [](const msgpack::object& o, void* ptr) {
                             o.convert(*static_cast<type*>(ptr));
                           }))
      return err;
    if (value.hdr.version > type::version)
      return caf::make_error(ec::unsupported_version, event_names[I],
                             static_cast<uint32_t>(value.hdr.version));
    out = std::move(value);
    return caf::none;
  } else {
    return violation("unknown event index");
  }
}

/// Walks the msgpack structure of `bytes` without allocating and refuses
/// what msgpack-c would otherwise allocate for before reading it: every
/// value takes at least one byte, so the elements that containers announce
/// and that are still to come may never outnumber the bytes left. Nested
/// headers that each claim a million elements are then refused at once
/// instead of costing hundreds of megabytes. Also bounds the nesting.
caf::error check_shape(std::string_view bytes) {
  auto p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t n = bytes.size();
  size_t pos = 0;
  // Values announced but not read yet, including the top-level one.
  uint64_t owed = 1;
  std::array<uint64_t, max_depth + 1> open{};
  size_t depth = 0;
  auto be = [&](size_t at, size_t width) {
    uint64_t v = 0;
    for (size_t k = 0; k < width; ++k)
      v = (v << 8) | p[at + k];
    return v;
  };
  while (owed > 0) {
    if (pos >= n)
      return violation("truncated message");
    auto c = p[pos];
    // Header bytes, payload bytes, and elements (a map's count doubled).
    size_t head = 1;
    uint64_t payload = 0;
    uint64_t elements = 0;
    bool container = false;
    size_t width = 0;
    if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
    } else if (c <= 0x8f) {
      container = true;
      elements = 2u * (c & 0x0f);
    } else if (c <= 0x9f) {
      container = true;
      elements = c & 0x0f;
    } else if (c <= 0xbf) {
      payload = c & 0x1f;
    } else if (c == 0xc1) {
      return violation("malformed msgpack: reserved byte 0xc1 at "
                       + std::to_string(pos));
    } else if (c >= 0xc4 && c <= 0xc6) { // bin 8/16/32
      width = size_t{1} << (c - 0xc4);
    } else if (c >= 0xc7 && c <= 0xc9) { // ext 8/16/32: length, type
      width = size_t{1} << (c - 0xc7);
      payload = 1;
    } else if (c == 0xca || c == 0xcb) {
      payload = c == 0xca ? 4 : 8;
    } else if (c >= 0xcc && c <= 0xd3) { // (u)int 8..64
      payload = size_t{1} << ((c - 0xcc) & 3);
    } else if (c >= 0xd4 && c <= 0xd8) { // fixext: type, 1..16 bytes
      payload = 1 + (size_t{1} << (c - 0xd4));
    } else if (c >= 0xd9 && c <= 0xdb) { // str 8/16/32
      width = size_t{1} << (c - 0xd9);
    } else if (c == 0xdc || c == 0xdd) {
      container = true;
      width = c == 0xdc ? 2 : 4;
    } else { // 0xde, 0xdf: map 16/32
      container = true;
      width = c == 0xde ? 2 : 4;
    }
    if (width > 0) {
      if (pos + 1 + width > n)
        return violation("truncated message");
      auto len = be(pos + 1, width);
      head += width;
      if (container)
        elements = c >= 0xde ? 2 * len : len;
      else
        payload += len;
    }
    if (pos + head > n || payload > n - pos - head)
      return violation("truncated message");
    pos += head + payload;
    // This value is one of those owed; it may owe more.
    --owed;
    while (depth > 0 && open[depth - 1] == 0)
      --depth;
    if (depth > 0)
      --open[depth - 1];
    if (container && elements > 0) {
      owed += elements;
      if (owed > n - pos)
        return violation(
          "size exceeds frame: a container announces "
          + std::to_string(c >= 0xde || (c >= 0x80 && c <= 0x8f) ? elements / 2
                                                                 : elements)
          + " entries but only " + std::to_string(n - pos) + " bytes follow");
      // A parent whose last element this is stays open below it: nesting
      // counts every container around the new one.
      if (depth == max_depth)
        return violation("nesting deeper than " + std::to_string(max_depth));
      open[depth++] = elements;
    }
  }
  return caf::none;
}

/// Finds the first string or binary (msgpack-c converts both into
/// `std::string`) that is not UTF-8, and names where it is: every text argus
/// keeps ends up in JSON, SQLite and people's terminals.
caf::error check_text(const msgpack::object& obj, std::string& path) {
  auto bad = [&](const char* data, uint32_t size) -> caf::error {
    auto at = first_invalid_utf8(std::string_view{data, size});
    if (!at)
      return caf::none;
    return violation(
      (path.empty() ? std::string{"a string"} : "field '" + path + "'")
      + " is not valid UTF-8 (byte " + std::to_string(*at) + " of "
      + std::to_string(size) + ")");
  };
  switch (obj.type) {
    case msgpack::type::STR:
      return bad(obj.via.str.ptr, obj.via.str.size);
    case msgpack::type::BIN:
      return bad(obj.via.bin.ptr, obj.via.bin.size);
    case msgpack::type::ARRAY:
      for (uint32_t i = 0; i < obj.via.array.size; ++i)
        if (auto err = check_text(obj.via.array.ptr[i], path))
          return err;
      return caf::none;
    case msgpack::type::MAP:
      for (uint32_t i = 0; i < obj.via.map.size; ++i) {
        const auto& kv = obj.via.map.ptr[i];
        if (auto err = check_text(kv.key, path))
          return err;
        auto outer = path.size();
        if (kv.key.type == msgpack::type::STR) {
          if (!path.empty())
            path += '.';
          path.append(kv.key.via.str.ptr,
                      std::min<uint32_t>(kv.key.via.str.size, 64));
        }
        auto err = check_text(kv.val, path);
        path.resize(outer);
        if (err)
          return err;
      }
      return caf::none;
    default:
      return caf::none;
  }
}

} // namespace

caf::expected<msgpack::object_handle> unpack_bounded(std::string_view bytes) {
  auto n = bytes.size();
  if (n == 0)
    return violation("empty message");
  // Each array element and each map key or value takes at least one byte, so
  // the frame's own size bounds every count msgpack would allocate for.
  if (auto err = check_shape(bytes))
    return err;
  msgpack::unpack_limit limits{n, n / 2, n, n, n, max_depth};
  try {
    size_t offset = 0;
    auto handle
      = msgpack::unpack(bytes.data(), n, offset, nullptr, nullptr, limits);
    if (offset != n)
      return violation("trailing bytes after message ("
                       + std::to_string(n - offset) + " of " + std::to_string(n)
                       + ")");
    std::string path;
    if (auto err = check_text(handle.get(), path))
      return err;
    return handle;
  } catch (const msgpack::depth_size_overflow&) {
    return violation("nesting deeper than " + std::to_string(max_depth));
  } catch (const msgpack::size_overflow& e) {
    return violation(std::string{"size exceeds frame: "} + e.what());
  } catch (const msgpack::insufficient_bytes&) {
    return violation("truncated message");
  } catch (const std::bad_alloc&) {
    return violation("message too large to decode");
  } catch (const std::exception& e) {
    return violation(std::string{"malformed msgpack: "} + e.what());
  }
}

caf::error convert(const msgpack::object& obj, std::string_view type_name,
                   void* out, void (*conv)(const msgpack::object&, void*)) {
  if (obj.type != msgpack::type::MAP)
    return violation(std::string{type_name} + ": body is not a map");
  try {
    conv(obj, out);
    return caf::none;
  } catch (const msgpack::type_error&) {
    return violation(std::string{type_name}
                     + ": a field has the wrong type or an invalid value");
  } catch (const std::exception& e) {
    return violation(std::string{type_name} + ": " + e.what());
  }
}

const char* type_name(const inbound_event& x) {
  return event_names[x.index()];
}

const char* type_name(size_t index) {
  return index < event_names.size() ? event_names[index] : "unknown";
}

std::string encode_event(const inbound_event& x) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk{buf};
  pk.pack_array(2);
  pk.pack(std::string_view{type_name(x)});
  std::visit(
    [&](const auto& e) {
      pk.pack(e);
    },
    x);
  return std::string{buf.data(), buf.size()};
}

caf::expected<inbound_event> decode_event(std::string_view bytes) {
  auto handle = unpack_bounded(bytes);
  if (!handle)
    return std::move(handle.error());
  const auto& obj = handle->get();
  if (obj.type != msgpack::type::ARRAY || obj.via.array.size != 2)
    return violation("envelope is not a [type, body] array");
  const auto& name = obj.via.array.ptr[0];
  if (name.type != msgpack::type::STR)
    return violation("envelope type is not a string");
  std::string_view type{name.via.str.ptr, name.via.str.size};
  for (size_t i = 0; i < event_names.size(); ++i) {
    if (type == event_names[i]) {
      inbound_event result;
      if (auto err = convert_alternative(i, obj.via.array.ptr[1], result))
        return err;
      return result;
    }
  }
  return violation("unknown event type '" + std::string{type.substr(0, 64)}
                   + "'");
}

std::string frame(std::string_view envelope) {
  auto n = static_cast<uint32_t>(envelope.size());
  std::string result;
  result.reserve(4 + envelope.size());
  result.push_back(static_cast<char>((n >> 24) & 0xff));
  result.push_back(static_cast<char>((n >> 16) & 0xff));
  result.push_back(static_cast<char>((n >> 8) & 0xff));
  result.push_back(static_cast<char>(n & 0xff));
  result.append(envelope);
  return result;
}

void frame_decoder::append(std::string_view bytes) {
  if (failed_)
    return;
  // Compact before growing so a long-lived stream does not keep consumed
  // bytes around.
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > (1u << 16)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

std::optional<caf::expected<inbound_event>> frame_decoder::next() {
  if (failed_)
    return std::nullopt;
  if (buf_.size() - pos_ < 4)
    return std::nullopt;
  auto p = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
  size_t len = (size_t{p[0]} << 24) | (size_t{p[1]} << 16) | (size_t{p[2]} << 8)
               | size_t{p[3]};
  if (len > max_frame_size_ || len == 0) {
    failed_ = true;
    ++rejected_;
    return caf::expected<inbound_event>{
      violation("frame length " + std::to_string(len) + " outside 1.."
                + std::to_string(max_frame_size_) + "; closing the stream")};
  }
  if (buf_.size() - pos_ - 4 < len)
    return std::nullopt;
  std::string_view body{buf_.data() + pos_ + 4, len};
  pos_ += 4 + len;
  auto result = decode_event(body);
  if (result)
    ++accepted_;
  else
    ++rejected_;
  return result;
}

} // namespace argus::codec
