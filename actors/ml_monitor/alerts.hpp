#pragma once

// Anti-flap for drift alerts: a condition (one model, feature and
// method) must hold for `pending_ns` before its alert fires, and must have
// cleared for `keep_ns` before the alert resolves; while firing, a higher
// severity escalates it. Evaluated at each check with the check's severity,
// in whatever clock the caller uses (virtual time in the tests).

#include "messages/ml.hpp"

#include <cstdint>

namespace argus {

struct alert_policy {
  int64_t pending_ns = 0;
  int64_t keep_ns = 0;
};

/// What one evaluation changed.
enum class alert_change : uint8_t { none, fired, escalated, resolved };

const char* to_string(alert_change x);

/// @returns what an alert message announces: its text starts with the
///          change (`fired: …`, as the model monitor writes it); `none` for
///          any other text.
alert_change change_of(const drift_alert& a);

class alert_state {
public:
  explicit alert_state(alert_policy p = {}) : p_(p) {
  }

  /// Feeds one check's severity at `now_ns`.
  alert_change update(int64_t now_ns, severity level);

  /// Whether the alert is firing (including while it clears).
  bool firing() const noexcept {
    return phase_ == phase::firing || phase_ == phase::clearing;
  }

  /// The highest severity since the alert fired.
  severity level() const noexcept {
    return level_;
  }

private:
  enum class phase : uint8_t { inactive, pending, firing, clearing };

  alert_policy p_;
  phase phase_ = phase::inactive;
  int64_t since_ns_ = 0;
  severity level_ = severity::none;
};

} // namespace argus
