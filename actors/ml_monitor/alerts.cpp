#include "actors/ml_monitor/alerts.hpp"

#include <string_view>

namespace argus {

const char* to_string(alert_change x) {
  switch (x) {
    case alert_change::none:
      return "none";
    case alert_change::fired:
      return "fired";
    case alert_change::escalated:
      return "escalated";
    case alert_change::resolved:
      return "resolved";
  }
  return "unknown";
}

alert_change change_of(const drift_alert& a) {
  for (auto x :
       {alert_change::fired, alert_change::escalated, alert_change::resolved}) {
    std::string_view name = to_string(x);
    if (a.message.size() > name.size()
        && a.message.compare(0, name.size(), name) == 0
        && a.message[name.size()] == ':')
      return x;
  }
  return alert_change::none;
}

alert_change alert_state::update(int64_t now_ns, severity level) {
  bool holds = level != severity::none;
  switch (phase_) {
    case phase::inactive:
      if (!holds)
        return alert_change::none;
      phase_ = phase::pending;
      since_ns_ = now_ns;
      [[fallthrough]];
    case phase::pending:
      if (!holds) {
        phase_ = phase::inactive;
        return alert_change::none;
      }
      if (now_ns - since_ns_ < p_.pending_ns)
        return alert_change::none;
      phase_ = phase::firing;
      level_ = level;
      return alert_change::fired;
    case phase::clearing:
      if (holds)
        phase_ = phase::firing;
      [[fallthrough]];
    case phase::firing:
      if (holds) {
        if (level > level_) {
          level_ = level;
          return alert_change::escalated;
        }
        return alert_change::none;
      }
      if (phase_ == phase::firing) {
        phase_ = phase::clearing;
        since_ns_ = now_ns;
      }
      if (now_ns - since_ns_ < p_.keep_ns)
        return alert_change::none;
      phase_ = phase::inactive;
      level_ = severity::none;
      return alert_change::resolved;
  }
  return alert_change::none;
}

} // namespace argus
