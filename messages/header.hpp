#pragma once

#include "messages/correlation_id.hpp"

#include <caf/meta/type_name.hpp>
#include <msgpack.hpp>

#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>

/// Declares a message's fields once for every consumer: msgpack (name-keyed
/// map, so fields can be appended), CAF's `inspect` (0.17 form) and `==`.
/// One list means the wire formats can never disagree about a field.
#define ARGUS_FIELDS(T, ...)                                                   \
  MSGPACK_DEFINE_MAP(__VA_ARGS__)                                              \
  template <class Inspector>                                                   \
  typename Inspector::result_type argus_inspect_(Inspector& f) {               \
    return f(caf::meta::type_name(#T), __VA_ARGS__);                           \
  }                                                                            \
  auto argus_tie_() const {                                                    \
    return std::tie(__VA_ARGS__);                                              \
  }                                                                            \
  template <class Inspector>                                                   \
  friend typename Inspector::result_type inspect(Inspector& f, T& x) {         \
    return x.argus_inspect_(f);                                                \
  }                                                                            \
  friend bool operator==(const T& x, const T& y) {                             \
    return x.argus_tie_() == y.argus_tie_();                                   \
  }                                                                            \
  friend bool operator!=(const T& x, const T& y) {                             \
    return !(x == y);                                                          \
  }

/// Packs an enum as its underlying integer and rejects out-of-range values
/// on decode, so a hostile frame cannot create an enumerator that does not
/// exist. `last` is the highest valid enumerator.
#define ARGUS_MSGPACK_ENUM(T, last)                                            \
  namespace msgpack {                                                          \
  MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {                      \
    namespace adaptor {                                                        \
    template <>                                                                \
    struct convert<T> {                                                        \
      const msgpack::object& operator()(const msgpack::object& o,              \
                                        T& v) const {                          \
        auto raw = o.as<int64_t>();                                            \
        if (raw < 0 || raw > static_cast<int64_t>(last))                       \
          throw msgpack::type_error();                                         \
        v = static_cast<T>(raw);                                               \
        return o;                                                              \
      }                                                                        \
    };                                                                         \
    template <>                                                                \
    struct pack<T> {                                                           \
      template <class Stream>                                                  \
      msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& p,          \
                                          const T& v) const {                  \
        p.pack(static_cast<int64_t>(v));                                       \
        return p;                                                              \
      }                                                                        \
    };                                                                         \
    }                                                                          \
  }                                                                            \
  }

namespace argus {

/// The first field of every message: which request it belongs to and which
/// schema version of the enclosing message the sender wrote.
struct message_header {
  /// Copied from the triggering message; minted only at ingress.
  correlation_id corr;
  /// `T::version` of the enclosing message when it was sent.
  uint16_t version = 0;

  ARGUS_FIELDS(message_header, corr, version)
};

/// @returns a header for a message of type `T` that belongs to `corr`.
template <class T>
message_header make_header(const correlation_id& corr) {
  return message_header{corr, T::version};
}

} // namespace argus

// The correlation id travels as a msgpack string and is re-validated on
// decode.
namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct convert<argus::correlation_id> {
    const msgpack::object& operator()(const msgpack::object& o,
                                      argus::correlation_id& v) const {
      if (o.type == msgpack::type::NIL) {
        v = argus::correlation_id{};
        return o;
      }
      if (o.type != msgpack::type::STR)
        throw msgpack::type_error();
      std::string_view text{o.via.str.ptr, o.via.str.size};
      if (text.empty()) {
        v = argus::correlation_id{};
        return o;
      }
      auto parsed = argus::correlation_id::parse(text);
      if (!parsed)
        throw msgpack::type_error();
      v = *parsed;
      return o;
    }
  };
  template <>
  struct pack<argus::correlation_id> {
    template <class Stream>
    msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& p,
                                        const argus::correlation_id& v) const {
      auto text = v.view();
      p.pack_str(static_cast<uint32_t>(text.size()));
      p.pack_str_body(text.data(), static_cast<uint32_t>(text.size()));
      return p;
    }
  };
  } // namespace adaptor
}
} // namespace msgpack
