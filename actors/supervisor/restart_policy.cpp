#include "actors/supervisor/restart_policy.hpp"

#include <algorithm>

namespace argus {

restart_policy::restart_policy(size_t max_restarts, duration window,
                               duration initial_backoff, duration max_backoff)
    : max_restarts_(max_restarts),
      window_(window),
      initial_backoff_(initial_backoff),
      max_backoff_(max_backoff) {
}

std::optional<restart_policy::duration>
restart_policy::on_crash(clock::time_point now) {
  while (!recent_.empty() && now - recent_.front() > window_)
    recent_.pop_front();
  if (recent_.size() >= max_restarts_)
    return std::nullopt;
  recent_.push_back(now);
  auto delay = initial_backoff_;
  for (size_t i = 1; i < recent_.size() && delay < max_backoff_; ++i)
    delay *= 2;
  return std::min(delay, max_backoff_);
}

} // namespace argus
