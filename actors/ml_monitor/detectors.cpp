#include "actors/ml_monitor/detectors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace argus {

const char* to_string(detector_level x) {
  switch (x) {
    case detector_level::stable:
      return "stable";
    case detector_level::warning:
      return "warning";
    case detector_level::drift:
      return "drift";
  }
  return "unknown";
}

// -- ADWIN --------------------------------------------------------------------

adwin::adwin(adwin_params p) : p_(p) {
  p_.max_buckets = std::max(p_.max_buckets, 2);
  p_.clock = std::max(p_.clock, 1);
  p_.min_window = std::max(p_.min_window, 1);
}

void adwin::insert(double x) {
  if (rows_.empty())
    rows_.emplace_back();
  // The window's variance grows by Welford's term.
  if (width_ > 0) {
    double mean = total_ / width_;
    variance_ += width_ * (x - mean) * (x - mean) / (width_ + 1);
  }
  width_ += 1;
  total_ += x;
  rows_[0].push_front({x, 0.0});
  compress();
}

void adwin::compress() {
  for (size_t i = 0; i < rows_.size(); ++i) {
    auto& row = rows_[i];
    if (row.size() <= static_cast<size_t>(p_.max_buckets))
      return;
    // Merge the two oldest buckets of this size into one of the next size.
    auto a = row.back();
    row.pop_back();
    auto b = row.back();
    row.pop_back();
    double n = std::ldexp(1.0, static_cast<int>(i));
    double ma = a.total / n;
    double mb = b.total / n;
    bucket merged{a.total + b.total,
                  a.variance + b.variance
                    + n * n * (ma - mb) * (ma - mb) / (2 * n)};
    if (i + 1 == rows_.size())
      rows_.emplace_back();
    rows_[i + 1].push_front(merged);
  }
}

void adwin::drop_oldest() {
  // The oldest bucket is the last of the last non-empty row.
  while (!rows_.empty() && rows_.back().empty())
    rows_.pop_back();
  if (rows_.empty())
    return;
  auto i = rows_.size() - 1;
  auto b = rows_[i].back();
  rows_[i].pop_back();
  double n = std::ldexp(1.0, static_cast<int>(i));
  width_ -= n;
  total_ -= b.total;
  if (width_ <= 0) {
    width_ = total_ = variance_ = 0;
    rows_.clear();
    return;
  }
  double mean = total_ / width_;
  double mb = b.total / n;
  variance_
    -= b.variance + n * width_ * (mb - mean) * (mb - mean) / (n + width_);
  variance_ = std::max(variance_, 0.0);
  while (!rows_.empty() && rows_.back().empty())
    rows_.pop_back();
}

bool adwin::some_cut(double delta) const {
  double var = variance_ / width_;
  double delta_prime = std::log(2 * std::log(width_) / delta);
  double n0 = 0;
  double u0 = 0;
  // From the oldest bucket towards the newest: W0 is the older part.
  for (size_t r = rows_.size(); r-- > 0;) {
    double n = std::ldexp(1.0, static_cast<int>(r));
    const auto& row = rows_[r];
    for (auto it = row.rbegin(); it != row.rend(); ++it) {
      n0 += n;
      u0 += it->total;
      double n1 = width_ - n0;
      if (n1 < p_.min_window)
        return false;
      if (n0 < p_.min_window)
        continue;
      double u1 = total_ - u0;
      double m
        = 1.0 / (n0 - p_.min_window + 1) + 1.0 / (n1 - p_.min_window + 1);
      double eps
        = std::sqrt(2 * m * var * delta_prime) + 2.0 / 3.0 * delta_prime * m;
      if (std::abs(u0 / n0 - u1 / n1) > eps)
        return true;
    }
  }
  return false;
}

detector_level adwin::update(double x) {
  insert(x);
  ++tick_;
  if (tick_ % p_.clock != 0 || width_ <= p_.grace)
    return detector_level::stable;
  if (some_cut(p_.delta)) {
    while (width_ > p_.grace && some_cut(p_.delta))
      drop_oldest();
    return detector_level::drift;
  }
  return some_cut(std::min(1.0, 10 * p_.delta)) ? detector_level::warning
                                                : detector_level::stable;
}

// -- Page-Hinkley -------------------------------------------------------------

page_hinkley::page_hinkley(page_hinkley_params p) : p_(p) {
}

void page_hinkley::reset() {
  n_ = 0;
  mean_ = up_ = down_ = min_up_ = max_down_ = 0;
}

detector_level page_hinkley::update(double x) {
  ++n_;
  mean_ += (x - mean_) / static_cast<double>(n_);
  double dev = x - mean_;
  up_ = p_.alpha * up_ + (dev - p_.delta);
  down_ = p_.alpha * down_ + (dev + p_.delta);
  min_up_ = std::min(min_up_, up_);
  max_down_ = std::max(max_down_, down_);
  if (n_ < p_.min_instances)
    return detector_level::stable;
  double stat = std::max(up_ - min_up_, max_down_ - down_);
  if (stat > p_.lambda) {
    reset();
    return detector_level::drift;
  }
  return stat > p_.lambda / 2 ? detector_level::warning
                              : detector_level::stable;
}

// -- parameters ---------------------------------------------------------------

namespace {

std::optional<param_problem> problem(const char* param, const char* rule) {
  return param_problem{param, rule};
}

} // namespace

std::optional<param_problem> check(const adwin_params& p) {
  if (!(p.delta > 0 && p.delta < 1))
    return problem("delta", "must be within (0, 1)");
  if (p.clock < 1)
    return problem("clock", "must be at least 1");
  if (p.max_buckets < 1)
    return problem("max_buckets", "must be at least 1");
  if (p.min_window < 1)
    return problem("min_window", "must be at least 1");
  if (p.grace < 0)
    return problem("grace", "must be at least 0");
  return std::nullopt;
}

std::optional<param_problem> check(const page_hinkley_params& p) {
  if (p.min_instances < 1)
    return problem("min_instances", "must be at least 1");
  if (!(p.delta >= 0 && std::isfinite(p.delta)))
    return problem("delta", "must be a finite number at least 0");
  if (!(p.lambda > 0 && std::isfinite(p.lambda)))
    return problem("lambda", "must be a finite number above 0");
  if (!(p.alpha > 0 && p.alpha <= 1))
    return problem("alpha", "must be within (0, 1]");
  return std::nullopt;
}

std::optional<param_problem> check(const ddm_params& p) {
  if (p.warm_start < 1)
    return problem("warm_start", "must be at least 1");
  if (!(p.warning > 0 && std::isfinite(p.warning)))
    return problem("warning", "must be a finite number above 0");
  if (!(p.drift > p.warning && std::isfinite(p.drift)))
    return problem("drift", "must be a finite number above warning");
  return std::nullopt;
}

// -- DDM ----------------------------------------------------------------------

ddm::ddm(ddm_params p) : p_(p) {
}

void ddm::reset() {
  n_ = 0;
  errors_ = 0;
  has_min_ = false;
}

detector_level ddm::update(double error) {
  ++n_;
  errors_ += error != 0 ? 1.0 : 0.0;
  double n = static_cast<double>(n_);
  double p = errors_ / n;
  double s = std::sqrt(p * (1 - p) / n);
  // River's rule: the first `warm_start` values only estimate the rate;
  // testing (and the best point) starts with the one after them.
  if (n_ <= p_.warm_start)
    return detector_level::stable;
  if (!has_min_ || p + s < p_min_ + s_min_) {
    p_min_ = p;
    s_min_ = s;
    has_min_ = true;
  }
  // Strictly worse than the best seen, and by the margin (with a perfect
  // warm-up, s_min = 0: the first error is a drift).
  bool worse = p + s > p_min_ + s_min_;
  if (worse && p + s >= p_min_ + p_.drift * s_min_) {
    reset();
    return detector_level::drift;
  }
  if (worse && p + s >= p_min_ + p_.warning * s_min_)
    return detector_level::warning;
  return detector_level::stable;
}

} // namespace argus
