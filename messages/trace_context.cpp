#include "messages/trace_context.hpp"

#include "messages/error.hpp"
#include "messages/header_text.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace argus {

namespace {

caf::error invalid(std::string what) {
  return caf::make_error(ec::invalid_argument, std::move(what));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1; // uppercase is not allowed by the specification
}

template <size_t N>
bool parse_hex(std::string_view text, std::array<uint8_t, N>& out) {
  if (text.size() != 2 * N)
    return false;
  for (size_t i = 0; i < N; ++i) {
    auto hi = hex_value(text[2 * i]);
    auto lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

template <size_t N>
std::array<char, 2 * N> hex_chars(const std::array<uint8_t, N>& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::array<char, 2 * N> result;
  for (size_t i = 0; i < N; ++i) {
    result[2 * i] = digits[bytes[i] >> 4];
    result[2 * i + 1] = digits[bytes[i] & 0x0f];
  }
  return result;
}

template <size_t N>
std::string to_hex(const std::array<uint8_t, N>& bytes) {
  auto chars = hex_chars(bytes);
  return std::string(chars.data(), chars.size());
}

template <size_t N>
bool all_zero(const std::array<uint8_t, N>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) {
    return b == 0;
  });
}

bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
         || c == '-' || c == '*' || c == '/';
}

bool valid_key(std::string_view key) {
  if (key.empty() || key.size() > 256)
    return false;
  auto at = key.find('@');
  auto check = [](std::string_view part, size_t max) {
    if (part.empty() || part.size() > max)
      return false;
    if (!((part[0] >= 'a' && part[0] <= 'z')
          || (part[0] >= '0' && part[0] <= '9')))
      return false;
    return std::all_of(part.begin(), part.end(), key_char);
  };
  if (at == std::string_view::npos)
    return check(key, 256);
  return check(key.substr(0, at), 241) && check(key.substr(at + 1), 14);
}

bool valid_value(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ')
    return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    return c >= 0x20 && c <= 0x7e && c != ',' && c != '=';
  });
}

uint64_t fnv1a(std::string_view text, uint64_t seed) {
  auto h = seed;
  for (auto c : text) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

} // namespace

bool trace_id::valid() const noexcept {
  return !all_zero(bytes);
}

std::string trace_id::hex() const {
  return to_hex(bytes);
}

std::array<char, 32> trace_id::hex_array() const noexcept {
  return hex_chars(bytes);
}

caf::expected<trace_id> trace_id::from_hex(std::string_view text) {
  trace_id result;
  if (!parse_hex(text, result.bytes))
    return invalid("trace id must be 32 lowercase hex digits");
  if (!result.valid())
    return invalid("trace id must not be all zero");
  return result;
}

bool span_id::valid() const noexcept {
  return !all_zero(bytes);
}

std::string span_id::hex() const {
  return to_hex(bytes);
}

std::array<char, 16> span_id::hex_array() const noexcept {
  return hex_chars(bytes);
}

caf::expected<span_id> span_id::from_hex(std::string_view text) {
  span_id result;
  if (!parse_hex(text, result.bytes))
    return invalid("span id must be 16 lowercase hex digits");
  if (!result.valid())
    return invalid("span id must not be all zero");
  return result;
}

caf::expected<trace_context> parse_traceparent(std::string_view text) {
  text = trim_ows(text);
  // version(2) - trace id(32) - parent id(16) - flags(2)
  constexpr size_t v00_size = 55;
  if (text.size() < v00_size)
    return invalid("traceparent is shorter than 55 characters");
  if (text[2] != '-' || text[35] != '-' || text[52] != '-')
    return invalid("traceparent fields must be separated by '-'");
  std::array<uint8_t, 1> version{};
  if (!parse_hex(text.substr(0, 2), version))
    return invalid("traceparent version must be 2 lowercase hex digits");
  if (version[0] == 0xff)
    return invalid("traceparent version ff is invalid");
  if (version[0] == 0 && text.size() != v00_size)
    return invalid("traceparent version 00 must be exactly 55 characters");
  if (version[0] > 0 && text.size() > v00_size && text[v00_size] != '-')
    return invalid("traceparent: fields of a newer version must follow a '-'");
  trace_context result;
  result.version = version[0];
  auto trace = trace_id::from_hex(text.substr(3, 32));
  if (!trace)
    return invalid("traceparent: " + to_string(trace.error()));
  auto parent = span_id::from_hex(text.substr(36, 16));
  if (!parent)
    return invalid("traceparent: parent id must be 16 lowercase hex digits, "
                   "not all zero");
  std::array<uint8_t, 1> flags{};
  if (!parse_hex(text.substr(53, 2), flags))
    return invalid("traceparent flags must be 2 lowercase hex digits");
  result.trace = *trace;
  result.parent = *parent;
  result.flags = flags[0];
  return result;
}

std::string to_traceparent(const trace_context& ctx) {
  std::array<uint8_t, 1> flags{ctx.flags};
  return "00-" + ctx.trace.hex() + "-" + ctx.parent.hex() + "-" + to_hex(flags);
}

caf::expected<trace_state> parse_tracestate(std::string_view text) {
  trace_state result;
  std::set<std::string> keys;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto member = trim_ows(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{}
                                           : text.substr(comma + 1);
    if (member.empty())
      continue;
    auto eq = member.find('=');
    if (eq == std::string_view::npos)
      return invalid("tracestate member without '=': "
                     + std::string{member.substr(0, 64)});
    auto key = member.substr(0, eq);
    auto value = member.substr(eq + 1);
    if (!valid_key(key))
      return invalid("tracestate key is invalid: "
                     + std::string{key.substr(0, 64)});
    if (!valid_value(value))
      return invalid("tracestate value of '" + std::string{key}
                     + "' is invalid");
    if (!keys.insert(std::string{key}).second)
      return invalid("tracestate key '" + std::string{key} + "' appears twice");
    if (result.entries.size() == 32)
      return invalid("tracestate has more than 32 members");
    result.entries.emplace_back(std::string{key}, std::string{value});
  }
  return result;
}

std::string to_string(const trace_state& x) {
  std::string result;
  for (const auto& [k, v] : x.entries) {
    if (!result.empty())
      result += ",";
    result += k + "=" + v;
  }
  return result;
}

trace_id trace_id_for(const correlation_id& corr) {
  if (auto direct = trace_id::from_hex(corr.view()))
    return *direct;
  // Two independent 64-bit hashes of the bot's id, finalized with a mixer.
  auto hi = mix(fnv1a(corr.view(), 0xcbf29ce484222325ULL));
  auto lo = mix(fnv1a(corr.view(), 0x84222325cbf29ce4ULL) ^ hi);
  trace_id result;
  for (int i = 0; i < 8; ++i) {
    result.bytes[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    result.bytes[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  }
  if (!result.valid())
    result.bytes[15] = 1;
  return result;
}

bool sampled(const trace_id& id, double rate) noexcept {
  if (!(rate > 0.0))
    return false;
  if (rate >= 1.0)
    return true;
  uint64_t low = 0;
  for (int i = 8; i < 16; ++i)
    low = (low << 8) | id.bytes[i];
  auto bound = static_cast<uint64_t>(std::ldexp(rate, 63));
  return (low >> 1) < bound;
}

caf::expected<inbound_context>
extract_context(const std::function<std::string_view(std::string_view)>& header,
                std::string_view correlation_header) {
  inbound_context result;
  if (auto tp = header("traceparent"); !tp.empty())
    if (auto ctx = parse_traceparent(tp)) {
      result.parent = *ctx;
      if (auto ts = header("tracestate"); !ts.empty())
        if (auto state = parse_tracestate(ts))
          result.state = std::move(*state);
    }
  if (auto id = header(correlation_header); !id.empty()) {
    auto corr = correlation_id::parse(id);
    if (!corr)
      return caf::make_error(ec::invalid_argument,
                             std::string{correlation_header}
                               + " is not a valid correlation id: "
                               + describe(corr.error()));
    result.corr = *corr;
  } else if (result.parent) {
    result.corr = *correlation_id::parse(result.parent->trace.hex());
  }
  return result;
}

std::vector<std::pair<std::string, std::string>>
inject_context(const correlation_id& corr, const trace_context& ctx,
               std::string_view correlation_header, const trace_state& state) {
  std::vector<std::pair<std::string, std::string>> result;
  result.emplace_back("traceparent", to_traceparent(ctx));
  if (!corr.empty())
    result.emplace_back(std::string{correlation_header}, corr.str());
  if (!state.entries.empty())
    result.emplace_back("tracestate", to_string(state));
  return result;
}

} // namespace argus
