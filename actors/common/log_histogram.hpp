#pragma once

// A mergeable histogram with log-linear buckets, the layout of HdrHistogram
// read straight off the IEEE-754 bits of a double: the bucket of |x| is its
// exponent and the top `sub_bits` bits of its mantissa, so each power of two
// is cut into 2^sub_bits equal buckets. Finding a bucket is a shift, no log.
//
// Accuracy: a quantile is reported as the midpoint of its bucket, clamped to
// the observed min and max. A bucket [L, U) has U - L <= L / 2^sub_bits, so
// the reported value is within L / 2^(sub_bits+1) of any value in it: a
// relative error of at most 2^-7 = 0.78 % (stated as 1 %).
//
// Merging adds bucket counts, so quantiles of a merged histogram (a 1 h
// window built from its 1 m windows) are exactly those of one histogram that
// saw every value.
//
// Used by the tracer (latency per component and operation) and the metrics
// dashboard (histogram metrics and their rollups).

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace argus {

class log_histogram {
public:
  /// Mantissa bits per bucket: 64 buckets per power of two.
  static constexpr int sub_bits = 6;

  /// Stated bound of the relative error of `quantile()` (the true bound is
  /// 2^-(sub_bits+1) = 0.0078).
  static constexpr double relative_error = 0.01;

  /// @returns the bucket index of |x| for finite x != 0. Monotonic in |x|.
  static int32_t bucket_of(double x) noexcept {
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    bits &= ~(uint64_t{1} << 63);
    return static_cast<int32_t>(bits >> (52 - sub_bits));
  }

  /// @returns the smallest |x| in bucket `i`.
  static double lower_bound(int32_t i) noexcept {
    auto bits = static_cast<uint64_t>(i) << (52 - sub_bits);
    double x;
    std::memcpy(&x, &bits, sizeof x);
    return x;
  }

  /// @returns the value reported for bucket `i`: its midpoint.
  static double midpoint(int32_t i) noexcept {
    return (lower_bound(i) + lower_bound(i + 1)) / 2;
  }

  /// Records `x` `n` times. NaN and infinities are refused (counted in
  /// `rejected()`), so one bad value never poisons sum and quantiles.
  void record(double x, uint64_t n = 1) noexcept;

  /// Adds every value of `other`.
  void merge(const log_histogram& other);

  /// @returns the values recorded after `earlier`, a snapshot of this same
  ///          histogram taken before (cumulative recorders are read this
  ///          way: each scrape minus the one before). Counts, sum and
  ///          quantiles are exact; min and max are known to the bucket
  ///          (the bounds of the extreme non-empty buckets, clamped to this
  ///          histogram's exact min and max).
  log_histogram since(const log_histogram& earlier) const;

  /// For recorders that keep bucket counts of their own (the metrics
  /// cells): adds `n` values to bucket `bucket` (of |x|; `negative` for
  /// x < 0), or to zero when `bucket` < 0. Sum, min and max come
  /// separately through `add_totals`, as the recorder saw them.
  void add_to_bucket(int32_t bucket, bool negative, uint64_t n);

  /// Adds `rejected` rejected values and folds a recorder's sum, min and
  /// max in (min and max only when it recorded values).
  void add_totals(double sum, double min, double max, uint64_t rejected);

  /// @returns the nearest-rank q-quantile (q in [0, 1]): the smallest
  ///          recorded value v such that at least ceil(q * count) values are
  ///          <= v, as its bucket's midpoint within [min, max]. 0 when empty.
  double quantile(double q) const noexcept;

  /// @returns how many recorded values are <= x (counting whole buckets, so
  ///          exact at bucket bounds).
  uint64_t count_at_or_below(double x) const noexcept;

  uint64_t count() const noexcept {
    return count_;
  }
  double sum() const noexcept {
    return sum_;
  }
  double min() const noexcept {
    return count_ ? min_ : 0;
  }
  double max() const noexcept {
    return count_ ? max_ : 0;
  }
  double mean() const noexcept {
    return count_ ? sum_ / static_cast<double>(count_) : 0;
  }
  uint64_t rejected() const noexcept {
    return rejected_;
  }
  bool empty() const noexcept {
    return count_ == 0;
  }

  /// Forgets every value.
  void clear() noexcept;

  /// Buckets in use (memory is proportional to the span of them).
  size_t buckets() const noexcept {
    return positive_.size() + negative_.size();
  }

  /// Calls `f(lower, upper, count)` for every non-empty bucket in
  /// ascending order of value (zero as [0, 0]).
  template <class F>
  void for_each_bucket(F f) const {
    for (auto i = negative_.counts.size(); i-- > 0;)
      if (auto c = negative_.counts[i]) {
        auto b = negative_.first + static_cast<int32_t>(i);
        f(-lower_bound(b + 1), -lower_bound(b), c);
      }
    if (zeros_)
      f(0.0, 0.0, zeros_);
    for (size_t i = 0; i < positive_.counts.size(); ++i)
      if (auto c = positive_.counts[i]) {
        auto b = positive_.first + static_cast<int32_t>(i);
        f(lower_bound(b), lower_bound(b + 1), c);
      }
  }

  /// Calls `f(bucket, negative, count)` for every non-empty bucket in the
  /// terms of `add_to_bucket` (zero as bucket -1), so a histogram can be
  /// stored and rebuilt exactly.
  template <class F>
  void for_each_bucket_index(F f) const {
    for (size_t i = 0; i < negative_.counts.size(); ++i)
      if (auto c = negative_.counts[i])
        f(negative_.first + static_cast<int32_t>(i), true, c);
    if (zeros_)
      f(int32_t{-1}, false, zeros_);
    for (size_t i = 0; i < positive_.counts.size(); ++i)
      if (auto c = positive_.counts[i])
        f(positive_.first + static_cast<int32_t>(i), false, c);
  }

private:
  /// Counts of a contiguous range of buckets, grown on demand.
  struct store {
    int32_t first = 0;
    std::vector<uint64_t> counts;

    void add(int32_t bucket, uint64_t n);
    void merge(const store& other);
    size_t size() const noexcept {
      return counts.size();
    }
  };

  store positive_;
  /// By |x|.
  store negative_;
  uint64_t zeros_ = 0;
  uint64_t count_ = 0;
  uint64_t rejected_ = 0;
  double sum_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

} // namespace argus
