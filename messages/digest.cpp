#include "messages/digest.hpp"

#include <openssl/evp.h>

namespace argus {

sha256_digest sha256(std::string_view text) {
  sha256_digest out{};
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string to_hex(const sha256_digest& x) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(x.size() * 2);
  for (auto b : x) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

} // namespace argus
