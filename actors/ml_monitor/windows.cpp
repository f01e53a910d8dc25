#include "actors/ml_monitor/windows.hpp"

#include "actors/ml_monitor/drift.hpp"

#include <algorithm>
#include <cmath>

namespace argus {

feature_reference::feature_reference(size_t capacity)
    : capacity_(std::max<size_t>(capacity, 2)) {
}

bool feature_reference::observe(double x) {
  if (complete_ || !std::isfinite(x))
    return false;
  // Sorted once, when complete.
  sorted_.push_back(x);
  if (sorted_.size() >= capacity_)
    finish();
  return true;
}

void feature_reference::set_baseline(std::vector<double> xs) {
  xs.erase(std::remove_if(xs.begin(), xs.end(),
                          [](double x) {
                            return !std::isfinite(x);
                          }),
           xs.end());
  std::sort(xs.begin(), xs.end());
  if (xs.size() > capacity_) {
    // Evenly spaced order statistics, both extremes kept.
    std::vector<double> sketch(capacity_);
    for (size_t i = 0; i < capacity_; ++i)
      sketch[i] = xs[i * (xs.size() - 1) / (capacity_ - 1)];
    xs = std::move(sketch);
  }
  sorted_ = std::move(xs);
  finish();
}

void feature_reference::finish() {
  complete_ = !sorted_.empty();
  if (!complete_)
    return;
  std::sort(sorted_.begin(), sorted_.end());
  edges_ = drift::decile_edges(sorted_);
  shares_.assign(10, 0.0);
  for (auto x : sorted_)
    shares_[bin_of(x)] += 1;
  for (auto& s : shares_)
    s /= static_cast<double>(sorted_.size());
}

size_t feature_reference::bin_of(double x) const noexcept {
  return static_cast<size_t>(std::upper_bound(edges_.begin(), edges_.end(), x)
                             - edges_.begin());
}

feature_window::feature_window(size_t capacity, int64_t max_age_ns)
    : capacity_(std::max<size_t>(capacity, 1)), max_age_ns_(max_age_ns) {
}

void feature_window::evict_front(const feature_reference* ref) {
  if (binned_ && ref)
    --bins_[ref->bin_of(items_.front().x)];
  items_.pop_front();
}

void feature_window::observe(double x, int64_t time_ns,
                             const feature_reference* ref) {
  if (!std::isfinite(x))
    return;
  if (ref && ref->complete() && !binned_)
    rebin(*ref);
  items_.push_back({x, time_ns});
  if (binned_ && ref)
    ++bins_[ref->bin_of(x)];
  while (items_.size() > capacity_)
    evict_front(ref);
  expire(time_ns, ref);
}

void feature_window::expire(int64_t now_ns, const feature_reference* ref) {
  if (max_age_ns_ <= 0)
    return;
  while (!items_.empty() && items_.front().time_ns < now_ns - max_age_ns_)
    evict_front(ref);
}

void feature_window::rebin(const feature_reference& ref) {
  std::fill(bins_.begin(), bins_.end(), 0);
  for (const auto& i : items_)
    ++bins_[ref.bin_of(i.x)];
  binned_ = true;
}

double feature_window::psi(const feature_reference& ref) const {
  if (items_.empty() || !binned_)
    return 0;
  double sum = 0;
  auto n = static_cast<double>(items_.size());
  for (size_t i = 0; i < bins_.size(); ++i) {
    auto r = ref.shares()[i] == 0 ? 1e-4 : ref.shares()[i];
    auto c = bins_[i] == 0 ? 1e-4 : static_cast<double>(bins_[i]) / n;
    sum += (c - r) * std::log(c / r);
  }
  return sum;
}

std::vector<double> feature_window::values() const {
  std::vector<double> xs;
  xs.reserve(items_.size());
  for (const auto& i : items_)
    xs.push_back(i.x);
  return xs;
}

} // namespace argus
