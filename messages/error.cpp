#include "messages/error.hpp"

#include <caf/atom.hpp>

namespace argus {

std::string to_string(ec x) {
  switch (x) {
    case ec::none:
      return "none";
    case ec::unspecified:
      return "unspecified";
    case ec::invalid_argument:
      return "invalid_argument";
    case ec::unsupported_version:
      return "unsupported_version";
    case ec::timeout:
      return "timeout";
    case ec::capacity_exceeded:
      return "capacity_exceeded";
    case ec::invalid_config:
      return "invalid_config";
    case ec::missing_config_key:
      return "missing_config_key";
    case ec::config_parse_error:
      return "config_parse_error";
    case ec::storage_failure:
      return "storage_failure";
    case ec::storage_busy:
      return "storage_busy";
    case ec::schema_mismatch:
      return "schema_mismatch";
    case ec::storage_full:
      return "storage_full";
    case ec::row_rejected:
      return "row_rejected";
    case ec::unknown_correlation:
      return "unknown_correlation";
    case ec::protocol_violation:
      return "protocol_violation";
    case ec::invalid_correlation_id:
      return "invalid_correlation_id";
    case ec::component_down:
      return "component_down";
    case ec::restart_limit_reached:
      return "restart_limit_reached";
    case ec::shutting_down:
      return "shutting_down";
    case ec::report_failed:
      return "report_failed";
    case ec::delivery_failed:
      return "delivery_failed";
  }
  return "unknown(" + std::to_string(static_cast<int>(x)) + ")";
}

std::string render_error_code(uint8_t code, const caf::message& context) {
  auto result = "argus::" + to_string(static_cast<ec>(code));
  // Context strings are written for people: print them as they are, not
  // quoted and escaped as CAF's generic rendering would.
  for (size_t i = 0; i < context.size(); ++i) {
    result += i == 0 ? ": " : " ";
    if (context.match_element<std::string>(i))
      result += context.get_as<std::string>(i);
    else
      result += context.stringify(i);
  }
  return result;
}

std::string describe(const caf::error& x) {
  if (x.category() == caf::atom("argus"))
    return render_error_code(x.code(), x.context());
  return to_string(x);
}

} // namespace argus
