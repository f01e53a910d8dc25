#pragma once

#include <caf/expected.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace argus {

/// The id that ties every event of one bot request together: the bot's own id
/// (`req_123`), an `X-Correlation-ID` header value or a W3C trace id. Holds up
/// to 64 printable ASCII bytes inline (no heap), so copying it into every
/// message on the hot path costs a memcpy. An empty id means "none yet"; the
/// engine mints one at ingress (see `runtime::correlation_source`).
class correlation_id {
public:
  /// The longest accepted id in bytes.
  static constexpr size_t max_size = 64;

  correlation_id() = default;

  /// Validates `text`: 1 to 64 bytes, each printable ASCII (0x21..0x7e).
  /// @returns the id or `ec::invalid_correlation_id` saying what is wrong.
  static caf::expected<correlation_id> parse(std::string_view text);

  /// @returns whether `text` would be accepted by `parse`.
  static bool valid(std::string_view text) noexcept;

  /// @returns the id's bytes.
  std::string_view view() const noexcept {
    return {bytes_.data(), size_};
  }

  std::string str() const {
    return std::string{view()};
  }

  bool empty() const noexcept {
    return size_ == 0;
  }

  size_t size() const noexcept {
    return size_;
  }

  friend bool operator==(const correlation_id& x, const correlation_id& y) {
    return x.view() == y.view();
  }

  friend bool operator!=(const correlation_id& x, const correlation_id& y) {
    return !(x == y);
  }

  friend bool operator<(const correlation_id& x, const correlation_id& y) {
    return x.view() < y.view();
  }

  /// Serializes as a string; loading re-validates, so a hostile peer cannot
  /// smuggle an invalid id in.
  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f,
                                                 correlation_id& x) {
    std::string tmp{x.view()};
    auto load = [&]() -> caf::error {
      if (tmp.empty()) {
        x = correlation_id{};
        return caf::none;
      }
      auto parsed = parse(tmp);
      if (!parsed)
        return std::move(parsed.error());
      x = *parsed;
      return caf::none;
    };
    return f(caf::meta::type_name("correlation_id"), tmp,
             caf::meta::load_callback(load));
  }

private:
  std::array<char, max_size> bytes_{};
  uint8_t size_ = 0;
};

/// @returns the id's text.
std::string to_string(const correlation_id& x);

} // namespace argus

namespace std {

template <>
struct hash<argus::correlation_id> {
  size_t operator()(const argus::correlation_id& x) const noexcept {
    return std::hash<std::string_view>{}(x.view());
  }
};

} // namespace std
