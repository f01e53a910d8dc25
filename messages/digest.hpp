#pragma once

// SHA-256 (OpenSSL), for what argus keeps as digests: bearer tokens and the
// audit trail's hash chain.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace argus {

using sha256_digest = std::array<uint8_t, 32>;

/// @returns the SHA-256 of `text`.
sha256_digest sha256(std::string_view text);

/// @returns `x` as 64 lowercase hex digits.
std::string to_hex(const sha256_digest& x);

} // namespace argus
