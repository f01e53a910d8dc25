#pragma once

// Numbers as people write them in configs, flags and files of values.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace argus {

/// Parses a decimal number: an optional sign, digits with an optional
/// fraction, an optional exponent (`-1.5`, `+2`, `.5`, `3e-4`). Subnormal
/// values are numbers like any other. Refuses anything else: hexadecimal
/// (`0x1p3`), `inf` and `nan`, surrounding text or blanks, and values
/// beyond a double's range (`1e400`, and `1e-400`, which would become 0).
std::optional<double> parse_decimal(std::string_view text) noexcept;

/// Parses ASCII digits only (no sign, no blanks), at most `max_digits` of
/// them (19 keeps any value within 64 bits). Inline: the HTTP listener's
/// library, which argus_core links, uses it too.
inline std::optional<uint64_t> parse_digits(std::string_view text,
                                            size_t max_digits = 19) noexcept {
  if (text.empty() || text.size() > max_digits || max_digits > 19)
    return std::nullopt;
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

} // namespace argus
