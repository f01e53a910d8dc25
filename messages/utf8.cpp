#include "messages/utf8.hpp"

#include <cstdint>

namespace argus {

std::optional<size_t> first_invalid_utf8(std::string_view text) noexcept {
  auto p = reinterpret_cast<const uint8_t*>(text.data());
  auto n = text.size();
  size_t i = 0;
  while (i < n) {
    // Plain ASCII, eight bytes at a time: the common case for names and ids.
    while (i + 8 <= n) {
      uint64_t word = 0;
      for (size_t k = 0; k < 8; ++k)
        word |= uint64_t{p[i + k]} << (8 * k);
      if (word & 0x8080808080808080ull)
        break;
      i += 8;
    }
    if (i >= n)
      break;
    auto c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The ranges of Table 3-7 of the Unicode standard: the second byte's
    // range depends on the first, which excludes overlongs and surrogates.
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0)
        lo = 0xa0;
      else if (c == 0xed)
        hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0)
        lo = 0x90;
      else if (c == 0xf4)
        hi = 0x8f;
    } else {
      return i;
    }
    if (i + len > n)
      return i;
    if (p[i + 1] < lo || p[i + 1] > hi)
      return i;
    for (size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xbf)
        return i;
    i += len;
  }
  return std::nullopt;
}

} // namespace argus
