#pragma once

// An event held in memory as its msgpack encoding: a third or less of the
// decoded object with its strings, maps and vectors, in one allocation.
// Components that keep long histories (the tracer's traces, the tracker's
// decisions) hold these and decode only what a query reads.

#include "messages/codec.hpp"
#include "messages/correlation_id.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace argus {

template <class T>
class packed {
public:
  /// Encodes `x`, keeping `time_ns` beside it for range filters that need
  /// no decoding, and the hash of its correlation id for lookups by id.
  packed(const T& x, int64_t time_ns)
      : bytes_(codec::encode(x)),
        time_ns_(time_ns),
        corr_hash_(std::hash<correlation_id>{}(x.hdr.corr)) {
    bytes_.shrink_to_fit();
  }

  /// @returns the event. Decoding what `codec::encode` wrote cannot fail;
  ///          should it ever, the result is a default event rather than an
  ///          exception out of a handler.
  T get() const {
    if (auto x = codec::decode<T>(bytes_))
      return std::move(*x);
    return T{};
  }

  int64_t time_ns() const noexcept {
    return time_ns_;
  }

  /// @returns whether the event may be under `corr` (equal hashes: decode
  ///          to be sure); false means it is not.
  bool may_be_of(const correlation_id& corr) const noexcept {
    return corr_hash_ == std::hash<correlation_id>{}(corr);
  }

  /// @returns the heap bytes held.
  size_t heap_bytes() const noexcept {
    return bytes_.capacity();
  }

private:
  std::string bytes_;
  int64_t time_ns_ = 0;
  size_t corr_hash_ = 0;
};

} // namespace argus
