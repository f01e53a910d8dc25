#pragma once

// Numbers as people write them in configs, flags and files of values.

#include <optional>
#include <string_view>

namespace argus {

/// Parses a decimal number: an optional sign, digits with an optional
/// fraction, an optional exponent (`-1.5`, `+2`, `.5`, `3e-4`). Subnormal
/// values are numbers like any other. Refuses anything else: hexadecimal
/// (`0x1p3`), `inf` and `nan`, surrounding text or blanks, and values
/// beyond a double's range (`1e400`, and `1e-400`, which would become 0).
std::optional<double> parse_decimal(std::string_view text) noexcept;

} // namespace argus
