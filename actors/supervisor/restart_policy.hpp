#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>

namespace argus {

/// The restart budget of one component: at most `max_restarts` restarts
/// within a sliding `window`; the delay before each restart doubles from
/// `initial_backoff` up to `max_backoff` with every recent crash (Erlang/OTP's
/// intensity and period, plus backoff so a crash loop does not spin).
class restart_policy {
public:
  using clock = std::chrono::steady_clock;
  using duration = std::chrono::milliseconds;

  restart_policy() = default;

  restart_policy(size_t max_restarts, duration window, duration initial_backoff,
                 duration max_backoff);

  /// Records a crash at `now`.
  /// @returns the delay before restarting, or `std::nullopt` when the budget
  ///          is used up and the component must be given up.
  std::optional<duration> on_crash(clock::time_point now);

  /// @returns crashes within the window as of the last call.
  size_t recent_crashes() const noexcept {
    return recent_.size();
  }

private:
  size_t max_restarts_ = 5;
  duration window_{60'000};
  duration initial_backoff_{100};
  duration max_backoff_{10'000};
  std::deque<clock::time_point> recent_;
};

} // namespace argus
