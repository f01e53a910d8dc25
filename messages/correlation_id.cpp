#include "messages/correlation_id.hpp"

#include "messages/error.hpp"

#include <cstring>

namespace argus {

bool correlation_id::valid(std::string_view text) noexcept {
  if (text.empty() || text.size() > max_size)
    return false;
  for (auto c : text)
    if (c < 0x21 || c > 0x7e)
      return false;
  return true;
}

caf::expected<correlation_id> correlation_id::parse(std::string_view text) {
  if (text.empty())
    return caf::make_error(ec::invalid_correlation_id,
                           "correlation id is empty");
  if (text.size() > max_size)
    return caf::make_error(ec::invalid_correlation_id,
                           "correlation id is longer than 64 bytes",
                           static_cast<uint64_t>(text.size()));
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x21 || c > 0x7e)
      return caf::make_error(ec::invalid_correlation_id,
                             "correlation id has a non-printable or "
                             "non-ASCII byte at offset "
                               + std::to_string(i));
  }
  correlation_id result;
  std::memcpy(result.bytes_.data(), text.data(), text.size());
  result.size_ = static_cast<uint8_t>(text.size());
  return result;
}

std::string to_string(const correlation_id& x) {
  return x.str();
}

} // namespace argus
