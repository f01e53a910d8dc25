#include "messages/codec.hpp"

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

} // namespace

caf::expected<msgpack::object_handle> unpack_bounded(std::string_view bytes) {
  auto n = bytes.size();
  if (n == 0)
    return violation("empty message");
  // Each array element and each map key or value takes at least one byte, so
  // the frame's own size bounds every count msgpack would allocate for.
  msgpack::unpack_limit limits{n, n / 2, n, n, n, max_depth};
  try {
    size_t offset = 0;
    auto handle
      = msgpack::unpack(bytes.data(), n, offset, nullptr, nullptr, limits);
    if (offset != n)
      return violation("trailing bytes after message ("
                       + std::to_string(n - offset) + " of " + std::to_string(n)
                       + ")");
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
