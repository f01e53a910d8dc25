#include "messages/numbers.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace argus {

std::optional<double> parse_decimal(std::string_view text) noexcept {
  // from_chars takes no '+' and no hexadecimal without being asked, but
  // it does take "inf" and "nan": refused below.
  bool plus = !text.empty() && text.front() == '+';
  if (plus)
    text.remove_prefix(1);
  if (text.empty()
      || !((text.front() == '-' && !plus) || text.front() == '.'
           || (text.front() >= '0' && text.front() <= '9')))
    return std::nullopt;
  double value = 0;
  auto [end, ec]
    = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()
      || !std::isfinite(value))
    return std::nullopt;
  return value;
}

} // namespace argus
