#pragma once

#include <chrono>
#include <cstdint>

namespace argus {

/// @returns the wall-clock time in the wire format every message uses
///          (`*_ns` fields): nanoseconds since the Unix epoch, UTC.
inline int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace argus
