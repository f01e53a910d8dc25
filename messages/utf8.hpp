#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace argus {

/// @returns the offset of the first byte of `text` that does not start or
///          continue a well-formed UTF-8 sequence (RFC 3629: no overlong
///          forms, no surrogates, nothing above U+10FFFF), or nothing if all
///          of it is valid.
std::optional<size_t> first_invalid_utf8(std::string_view text) noexcept;

} // namespace argus
