#include "actors/common/log_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace argus {

void log_histogram::store::add(int32_t bucket, uint64_t n) {
  if (counts.empty()) {
    first = bucket;
    counts.assign(1, 0);
  } else if (bucket < first) {
    counts.insert(counts.begin(), static_cast<size_t>(first - bucket), 0);
    first = bucket;
  } else if (auto i = static_cast<size_t>(bucket - first); i >= counts.size()) {
    counts.resize(i + 1, 0);
  }
  counts[static_cast<size_t>(bucket - first)] += n;
}

void log_histogram::store::merge(const store& other) {
  if (other.counts.empty())
    return;
  // Grow once to cover both ranges, then add.
  add(other.first, 0);
  add(other.first + static_cast<int32_t>(other.counts.size()) - 1, 0);
  auto offset = static_cast<size_t>(other.first - first);
  for (size_t i = 0; i < other.counts.size(); ++i)
    counts[offset + i] += other.counts[i];
}

void log_histogram::record(double x, uint64_t n) noexcept {
  if (!std::isfinite(x)) {
    rejected_ += n;
    return;
  }
  if (n == 0)
    return;
  try {
    if (x > 0)
      positive_.add(bucket_of(x), n);
    else if (x < 0)
      negative_.add(bucket_of(x), n);
    else
      zeros_ += n;
  } catch (...) {
    // Out of memory growing a store: the value is lost, not the process.
    rejected_ += n;
    return;
  }
  count_ += n;
  sum_ += x * static_cast<double>(n);
  min_ = std::min(min_, x);
  max_ = std::max(max_, x);
}

void log_histogram::merge(const log_histogram& other) {
  positive_.merge(other.positive_);
  negative_.merge(other.negative_);
  zeros_ += other.zeros_;
  count_ += other.count_;
  rejected_ += other.rejected_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

log_histogram log_histogram::since(const log_histogram& earlier) const {
  log_histogram result;
  auto subtract = [](const store& now, const store& before, store& into) {
    for (size_t i = 0; i < now.counts.size(); ++i) {
      auto b = now.first + static_cast<int32_t>(i);
      auto j = static_cast<int64_t>(b) - before.first;
      uint64_t old = 0;
      if (j >= 0 && static_cast<size_t>(j) < before.counts.size())
        old = before.counts[static_cast<size_t>(j)];
      if (now.counts[i] > old)
        into.add(b, now.counts[i] - old);
    }
  };
  subtract(positive_, earlier.positive_, result.positive_);
  subtract(negative_, earlier.negative_, result.negative_);
  result.zeros_ = zeros_ > earlier.zeros_ ? zeros_ - earlier.zeros_ : 0;
  result.count_ = count_ > earlier.count_ ? count_ - earlier.count_ : 0;
  result.rejected_
    = rejected_ > earlier.rejected_ ? rejected_ - earlier.rejected_ : 0;
  if (result.count_ == 0)
    return result;
  result.sum_ = sum_ - earlier.sum_;
  bool first = true;
  result.for_each_bucket([&](double lower, double upper, uint64_t) {
    if (first)
      result.min_ = std::max(lower, min_);
    first = false;
    result.max_ = std::min(upper, max_);
  });
  return result;
}

void log_histogram::add_to_bucket(int32_t bucket, bool negative, uint64_t n) {
  if (n == 0)
    return;
  if (bucket < 0)
    zeros_ += n;
  else if (negative)
    negative_.add(bucket, n);
  else
    positive_.add(bucket, n);
  count_ += n;
}

void log_histogram::add_totals(double sum, double min, double max,
                               uint64_t rejected) {
  sum_ += sum;
  rejected_ += rejected;
  if (count_ > 0) {
    min_ = std::min(min_, min);
    max_ = std::max(max_, max);
  }
}

double log_histogram::quantile(double q) const noexcept {
  if (count_ == 0)
    return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  // The extremes are known exactly.
  if (rank == count_)
    return max_;
  if (rank == 1)
    return min_;
  // Walk from the most negative value upwards until `rank` values are seen.
  uint64_t seen = 0;
  for (auto i = negative_.counts.size(); i-- > 0;) {
    seen += negative_.counts[i];
    if (seen >= rank) {
      auto v = -midpoint(negative_.first + static_cast<int32_t>(i));
      return std::clamp(v, min_, max_);
    }
  }
  seen += zeros_;
  if (seen >= rank)
    return 0;
  for (size_t i = 0; i < positive_.counts.size(); ++i) {
    seen += positive_.counts[i];
    if (seen >= rank) {
      auto v = midpoint(positive_.first + static_cast<int32_t>(i));
      return std::clamp(v, min_, max_);
    }
  }
  return max_;
}

uint64_t log_histogram::count_at_or_below(double x) const noexcept {
  uint64_t n = 0;
  for_each_bucket([&](double lower, double upper, uint64_t c) {
    // A bucket counts when all of it is <= x; zero is the bucket [0, 0].
    if (upper <= x || (lower == upper && lower <= x))
      n += c;
  });
  return n;
}

void log_histogram::clear() noexcept {
  *this = log_histogram{};
}

} // namespace argus
