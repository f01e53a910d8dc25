#pragma once

// W3C Trace Context (https://www.w3.org/TR/trace-context/): the
// `traceparent` and `tracestate` headers, and how a bot's own correlation id
// maps onto a trace id.

#include "messages/correlation_id.hpp"

#include <caf/expected.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace argus {

/// A 16-byte trace id; all zero is invalid.
struct trace_id {
  std::array<uint8_t, 16> bytes{};

  bool valid() const noexcept;
  /// @returns 32 lowercase hex digits.
  std::string hex() const;
  /// The same digits without allocating.
  std::array<char, 32> hex_array() const noexcept;
  /// Parses exactly 32 lowercase hex digits, not all zero.
  static caf::expected<trace_id> from_hex(std::string_view text);

  friend bool operator==(const trace_id& x, const trace_id& y) {
    return x.bytes == y.bytes;
  }
  friend bool operator!=(const trace_id& x, const trace_id& y) {
    return !(x == y);
  }
};

/// An 8-byte span id; all zero is invalid.
struct span_id {
  std::array<uint8_t, 8> bytes{};

  bool valid() const noexcept;
  /// @returns 16 lowercase hex digits.
  std::string hex() const;
  /// The same digits without allocating.
  std::array<char, 16> hex_array() const noexcept;
  /// Parses exactly 16 lowercase hex digits, not all zero.
  static caf::expected<span_id> from_hex(std::string_view text);

  friend bool operator==(const span_id& x, const span_id& y) {
    return x.bytes == y.bytes;
  }
  friend bool operator!=(const span_id& x, const span_id& y) {
    return !(x == y);
  }
};

/// The parsed `traceparent` header.
struct trace_context {
  uint8_t version = 0;
  trace_id trace;
  /// The caller's span: the parent of the spans we record.
  span_id parent;
  uint8_t flags = 0;

  /// @returns whether the caller sampled this trace (flag bit 0).
  bool sampled() const noexcept {
    return (flags & 0x01) != 0;
  }
};

/// Parses a `traceparent` value (`00-<trace id>-<parent id>-<flags>`).
/// Follows the specification's rules: lowercase hex only, no all-zero ids,
/// version `ff` is invalid, version 00 has exactly four fields, and a higher
/// version may append fields after a `-`. Surrounding spaces and tabs (HTTP
/// optional whitespace) are ignored.
caf::expected<trace_context> parse_traceparent(std::string_view text);

/// @returns the version-00 `traceparent` value of `ctx`.
std::string to_traceparent(const trace_context& ctx);

/// The parsed `tracestate` header: vendor entries, most recent first.
struct trace_state {
  std::vector<std::pair<std::string, std::string>> entries;
};

/// Parses a `tracestate` value: at most 32 comma-separated `key=value`
/// members, keys `[a-z0-9][a-z0-9_-*/]*` (or `tenant@system`, 256 bytes at
/// most), values of printable ASCII without `,` and `=` (256 bytes at most),
/// no duplicate keys. Empty members (`a=1,,b=2`) are skipped.
caf::expected<trace_state> parse_tracestate(std::string_view text);

/// @returns the header value of `x`.
std::string to_string(const trace_state& x);

/// @returns the trace id of a request: the correlation id itself when it is
///          a valid W3C trace id (32 lowercase hex digits, not all zero),
///          otherwise 128 bits derived from it deterministically, so every
///          process that sees the same bot id lands on the same trace.
trace_id trace_id_for(const correlation_id& corr);

/// Head sampling, decided from the trace id alone so that every span of a
/// trace, on every thread and in every process, gets the same answer: keeps
/// the trace iff its last 8 bytes, read as a big-endian integer and shifted
/// to 63 bits, are below `rate * 2^63` (OpenTelemetry's TraceIdRatioBased).
bool sampled(const trace_id& id, double rate) noexcept;

/// What a request carried in from another process (an HTTP gateway, a
/// remote bot component): its correlation id and, when a `traceparent` came
/// along, the caller's span as parent.
struct inbound_context {
  correlation_id corr;
  std::optional<trace_context> parent;
  trace_state state;
};

/// Reads the request's context from its headers. `header(name)` returns a
/// header's value (names as written here: `traceparent`, `tracestate` and
/// `correlation_header`, e.g. the config's `X-Correlation-ID`; HTTP lookups
/// are case-insensitive) or an empty view. The correlation id is the
/// correlation header's, else the traceparent's trace id (a trace id is a
/// valid correlation id), else empty (the caller mints one). An invalid
/// traceparent is ignored, as the W3C specification asks (the trace
/// restarts), and so is an invalid tracestate; an invalid correlation header
/// is an error, since it would misfile the request.
caf::expected<inbound_context>
extract_context(const std::function<std::string_view(std::string_view)>& header,
                std::string_view correlation_header);

/// @returns the headers that carry `corr` and the span `ctx` onwards:
///          `traceparent`, the correlation header, and `tracestate` when
///          `state` has entries.
std::vector<std::pair<std::string, std::string>>
inject_context(const correlation_id& corr, const trace_context& ctx,
               std::string_view correlation_header,
               const trace_state& state = {});

} // namespace argus
