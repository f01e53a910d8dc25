#pragma once

// Reference and current windows of one feature, bounded in memory.
//
// The reference is either a baseline the bot uploads or the first
// `capacity` observations after a model version is deployed. It is kept
// sorted; a baseline larger than `capacity` is reduced to `capacity` evenly
// spaced order statistics (its quantile sketch: every quantile within
// 1/capacity in rank of the full sample). The PSI bins (the reference's
// deciles) and shares are computed once when the reference is complete.
//
// The current window is the last `capacity` observations (a ring), and, if
// `max_age_ns` is set, none older than that. It keeps its counts per PSI bin
// as values come and go, so a PSI check costs O(bins), not O(n).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace argus {

class feature_reference {
public:
  explicit feature_reference(size_t capacity = 1000);

  /// Adds one observation while the reference is still filling.
  /// @returns whether it was taken (false once complete).
  bool observe(double x);

  /// Replaces the reference with an uploaded baseline (complete at once).
  void set_baseline(std::vector<double> xs);

  bool complete() const noexcept {
    return complete_;
  }

  /// The values, sorted once complete (all of them, or the sketch of a
  /// larger baseline).
  const std::vector<double>& values() const noexcept {
    return sorted_;
  }

  /// The 9 interior decile edges (numpy's linear quantiles) and the
  /// reference's share in each of the 10 bins; valid once complete.
  const std::vector<double>& edges() const noexcept {
    return edges_;
  }
  const std::vector<double>& shares() const noexcept {
    return shares_;
  }

  /// @returns the PSI bin of `x` (0..9).
  size_t bin_of(double x) const noexcept;

private:
  void finish();

  size_t capacity_;
  std::vector<double> sorted_;
  std::vector<double> edges_;
  std::vector<double> shares_;
  bool complete_ = false;
};

class feature_window {
public:
  explicit feature_window(size_t capacity = 1000, int64_t max_age_ns = 0);

  /// Adds an observation at `time_ns`; the oldest leave beyond the
  /// capacity or the age. `ref` (if complete) keeps the bin counts.
  void observe(double x, int64_t time_ns, const feature_reference* ref);

  /// Drops observations older than the age limit at `now_ns`.
  void expire(int64_t now_ns, const feature_reference* ref);

  /// Recounts the bins against a reference that just completed.
  void rebin(const feature_reference& ref);

  /// PSI against `ref` from the bin counts: O(bins).
  double psi(const feature_reference& ref) const;

  std::vector<double> values() const;

  size_t size() const noexcept {
    return items_.size();
  }

private:
  struct item {
    double x;
    int64_t time_ns;
  };

  void evict_front(const feature_reference* ref);

  size_t capacity_;
  int64_t max_age_ns_;
  std::deque<item> items_;
  std::vector<uint64_t> bins_ = std::vector<uint64_t>(10, 0);
  bool binned_ = false;
};

} // namespace argus
