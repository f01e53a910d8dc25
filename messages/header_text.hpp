#pragma once

// The text rules HTTP header values share (RFC 9110 §5.6), for the parsers
// of headers argus reads: `tracestate`, `Sec-WebSocket-Extensions`.

#include <string_view>

namespace argus {

/// `x` without the optional whitespace (spaces and tabs) around it.
inline std::string_view trim_ows(std::string_view x) noexcept {
  while (!x.empty() && (x.front() == ' ' || x.front() == '\t'))
    x.remove_prefix(1);
  while (!x.empty() && (x.back() == ' ' || x.back() == '\t'))
    x.remove_suffix(1);
  return x;
}

} // namespace argus
