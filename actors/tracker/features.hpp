#pragma once

// Feature tracking: per model, each feature's importance, the
// stability of that importance, its drift score and its rank over time,
// from the ML monitor's checks or the bot's `record_model_behavior_tracking`.
// A plain class, used by the tracker (live) and argusctl (offline, from the
// `model_behavior_tracking` table).

#include "config/components.hpp"
#include "messages/tracking.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace argus {

/// One model's scores at one time; either map may be empty.
struct feature_snapshot {
  std::string model_id;
  int64_t time_ns = 0;
  std::map<std::string, double> importance;
  std::map<std::string, double> drift_scores;
};

/// A feature's state after one snapshot. NaN: not tracked or not known
/// yet; rank 0: unranked.
struct feature_point {
  static constexpr double unknown = std::numeric_limits<double>::quiet_NaN();
  int64_t time_ns = 0;
  double importance = unknown;
  double stability = unknown;
  double drift = unknown;
  uint32_t rank = 0;
};

/// Everything known about one feature of one model.
struct feature_record {
  feature_point latest;
  /// The importances the stability is computed over (the last
  /// `stability_window`).
  std::deque<double> recent_importance;
  std::deque<feature_point> history;
  uint64_t rank_changes = 0;
};

class feature_tracker {
public:
  /// Stability is computed over the last `stability_window` importances.
  static constexpr size_t stability_window = 10;

  /// `max_points` bounds the points kept across all features of all
  /// models (oldest first); the `feature_tracking` flags decide what is
  /// kept.
  feature_tracker(config::feature_tracking_config flags, size_t max_points);

  // Moving keeps the map's nodes, which `insertion_order_` points into;
  // copying would not.
  feature_tracker(feature_tracker&&) = default;
  feature_tracker& operator=(feature_tracker&&) = default;
  feature_tracker(const feature_tracker&) = delete;
  feature_tracker& operator=(const feature_tracker&) = delete;

  /// Takes a snapshot. @returns the rank changes it caused (a feature's
  /// first rank counts as a change from 0), without correlation ids.
  std::vector<feature_rank_changed> update(const feature_snapshot& x);

  /// Model id -> feature -> record.
  const std::map<std::string, std::map<std::string, feature_record>>&
  models() const noexcept {
    return models_;
  }

  /// @returns the features of `model_id` by rank (unranked ones last, by
  ///          name); at most `top` of them (0: all).
  std::vector<std::pair<std::string, const feature_record*>>
  ranked(const std::string& model_id, size_t top = 0) const;

  /// The latest rank changes, oldest first (at most 256).
  const std::deque<feature_rank_changed>& recent_changes() const noexcept {
    return recent_changes_;
  }

  uint64_t snapshots() const noexcept {
    return snapshots_;
  }
  uint64_t evicted() const noexcept {
    return evicted_;
  }
  size_t points() const noexcept {
    return points_;
  }

private:
  void evict_oldest();

  config::feature_tracking_config flags_;
  size_t max_points_;
  std::map<std::string, std::map<std::string, feature_record>> models_;
  std::deque<feature_rank_changed> recent_changes_;
  /// Whose oldest point is oldest overall, by insertion (records live in
  /// map nodes, which never move).
  std::deque<feature_record*> insertion_order_;
  size_t points_ = 0;
  uint64_t snapshots_ = 0;
  uint64_t evicted_ = 0;
};

/// Stability of a series of importances: 1 - coefficient of variation
/// (population standard deviation over |mean|), clipped to [0, 1]; 1 for a
/// constant series, NaN for fewer than two values or a zero mean.
double importance_stability(const std::deque<double>& xs);

} // namespace argus
