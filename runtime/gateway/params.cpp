#include "runtime/gateway/params.hpp"

#include "config/load.hpp"
#include "messages/numbers.hpp"

#include <cmath>
#include <limits>

namespace argus::gateway {

namespace {

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) noexcept {
  if (pos + n > s.size())
    return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-'
      || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d)
      || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h)
      || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':'
      || !digits(s, 17, 2, sec))
    return std::nullopt;
  static constexpr int month_days[]
    = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1] || h > 23 || mi > 59
      || sec > 60)
    return std::nullopt;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap)
    return std::nullopt;
  size_t pos = 19;
  int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100'000'000;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start)
      return std::nullopt;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':'
        || !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size())
    return std::nullopt;
  auto days
    = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  auto secs = days * 86400 + h * 3600 + mi * 60 + std::min(sec, 59) - offset_s;
  // Nanoseconds in int64: years 1678 to 2262.
  constexpr int64_t max_secs = INT64_MAX / 1'000'000'000 - 1;
  if (secs > max_secs || secs < -max_secs)
    return std::nullopt;
  return secs * 1'000'000'000 + frac_ns;
}

} // namespace

std::optional<int64_t> parse_time(std::string_view text, int64_t now_ns,
                                  std::string& error) {
  std::string s{text};
  if (s.empty()) {
    error = "is empty";
    return std::nullopt;
  }
  if (s.find('-', 1) != std::string::npos || s.find('T') != std::string::npos
      || s.find(':') != std::string::npos) {
    if (auto t = parse_rfc3339(s))
      return t;
    error = "'" + s
            + "' is not an RFC 3339 time from 1678 to 2262 (e.g. "
              "2026-12-02T05:00:00Z)";
    return std::nullopt;
  }
  if (auto x = parse_decimal(s)) {
    // Unix seconds; anything beyond year 2262 does not fit in int64 ns.
    if (*x < 0 || *x > 9.2e9) {
      error = "'" + s + "' is out of range for Unix seconds";
      return std::nullopt;
    }
    // Whole seconds and the fraction apart: a double holds nanoseconds of
    // today's times only to about 256 ns.
    auto dot = s.find('.');
    if (dot == std::string::npos || s.find_first_of("eE") != std::string::npos)
      return static_cast<int64_t>(std::llround(*x * 1e9));
    int64_t whole = dot == 0 || (dot == 1 && s[0] == '+')
                      ? 0
                      : std::stoll(s.substr(0, dot));
    int64_t frac = 0;
    int64_t scale = 100'000'000;
    for (size_t i = dot + 1; i < s.size() && scale > 0; ++i, scale /= 10)
      frac += (s[i] - '0') * scale;
    return whole * 1'000'000'000 + frac;
  }
  if (auto d = config::parse_duration(s)) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(*d).count();
    return now_ns - ns;
  }
  error = "'" + s
          + "' is neither an RFC 3339 time, Unix seconds nor a duration "
            "(15m, 1h, 7d)";
  return std::nullopt;
}

std::optional<time_range> parse_range(const query_params& q, int64_t now_ns,
                                      std::string& error) {
  time_range r;
  for (auto [name, out] :
       {std::pair{"since", &r.since_ns}, std::pair{"until", &r.until_ns}}) {
    if (auto v = q.get(name)) {
      std::string why;
      auto t = parse_time(*v, now_ns, why);
      if (!t) {
        error = std::string{name} + ": " + why;
        return std::nullopt;
      }
      *out = *t;
    }
  }
  if (r.since_ns != 0 && r.until_ns != 0 && r.until_ns < r.since_ns) {
    error = "until is before since";
    return std::nullopt;
  }
  return r;
}

std::optional<uint64_t> parse_count(const query_params& q,
                                    std::string_view name, uint64_t fallback,
                                    uint64_t lo, uint64_t hi,
                                    std::string& error) {
  auto v = q.get(name);
  if (!v)
    return fallback;
  uint64_t x = 0;
  bool ok = !v->empty() && v->size() <= 19;
  for (auto c : *v) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    x = x * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || x < lo || x > hi) {
    error = std::string{name} + ": must be a whole number from "
            + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" + *v
            + "'";
    return std::nullopt;
  }
  return x;
}

} // namespace argus::gateway
