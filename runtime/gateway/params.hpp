#pragma once

// Query parameters the API's routes share, parsed with a reason when they
// are wrong (the reason becomes a 400's detail).

#include "runtime/gateway/http_types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace argus::gateway {

/// A time given as RFC 3339 (`2026-12-02T05:00:00Z`, fractions and offsets
/// allowed), Unix seconds (`1764651600`, `1764651600.25`), or a duration
/// before `now_ns` (`15m`, `1h`, `7d`). @returns nanoseconds since the epoch.
std::optional<int64_t> parse_time(std::string_view text, int64_t now_ns,
                                  std::string& error);

/// The range of `since` and `until` (either may be missing: 0).
struct time_range {
  int64_t since_ns = 0;
  int64_t until_ns = 0;
};

/// @returns the range, or nullopt with `error` naming the parameter.
std::optional<time_range> parse_range(const query_params& q, int64_t now_ns,
                                      std::string& error);

/// @returns `name`'s value as a whole number in [lo, hi], `fallback` when
///          absent, or nullopt with `error`.
std::optional<uint64_t> parse_count(const query_params& q,
                                    std::string_view name, uint64_t fallback,
                                    uint64_t lo, uint64_t hi,
                                    std::string& error);

} // namespace argus::gateway
