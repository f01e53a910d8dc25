#pragma once

// Anonymisation at the source: what the bot records passes through here
// before any component, the database, an export, a log line or a CLI sees
// it. A value under a configured key (an attribute, a metric label, a
// string map's entry) is replaced whole; a match of a configured pattern is
// replaced wherever it occurs in any text. Replacements are a keyed hash
// (HMAC-SHA256), so equal values stay equal and can still be grouped, or
// `[redacted]` without a key.

#include "actors/tracer/span_buffers.hpp"
#include "config/components.hpp"
#include "messages/events.hpp"
#include "messages/metrics.hpp"

#include <caf/expected.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
} // namespace re2

namespace argus::privacy {

class redactor {
public:
  /// @returns a redactor for `cfg`, or an error naming a pattern that does
  ///          not compile.
  static caf::expected<std::shared_ptr<const redactor>>
  make(const config::privacy_config& cfg);

  ~redactor();

  redactor(const redactor&) = delete;
  redactor& operator=(const redactor&) = delete;

  /// @returns whether `key` is configured as sensitive (case-insensitive,
  ///          whole key or any dotted segment).
  bool sensitive_key(std::string_view key) const;

  /// @returns what replaces the sensitive value `value`.
  std::string replacement(std::string_view value) const;

  /// Replaces every pattern match in `text`. @returns whether it changed.
  bool scrub(std::string& text) const;

  /// A value under `key`: replaced whole if the key is sensitive, else
  /// scrubbed. @returns whether it changed.
  bool redact(std::string_view key, std::string& value) const;

  /// Every text of the event: its strings, its attributes and string maps
  /// by key. Correlation ids, span and trace ids are left as they are.
  void apply(inbound_event& x) const;

  /// A span as the bot's thread recorded it (inline and overflow parts).
  void apply(span_slot& x) const;

  /// Metric labels of a series being resolved.
  void apply(metric_labels& xs) const;
  void apply(std::map<std::string, std::string>& xs) const;

  /// Values replaced so far (keys and pattern matches).
  uint64_t redactions() const noexcept {
    return redactions_.load(std::memory_order_relaxed);
  }

private:
  redactor() = default;

  std::vector<std::string> keys_; // lower case
  std::vector<std::unique_ptr<re2::RE2>> patterns_;
  std::string hash_key_;
  mutable std::atomic<uint64_t> redactions_{0};
};

} // namespace argus::privacy
