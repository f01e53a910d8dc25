#include "actors/ml_monitor/performance.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace argus {

performance_tracker::performance_tracker(size_t capacity)
    : capacity_(std::max<size_t>(capacity, 1)) {
}

double performance_tracker::add(const joined_prediction& x) {
  window_.push_back(x);
  while (window_.size() > capacity_)
    window_.pop_front();
  if (!reference_figures_) {
    reference_.push_back(x);
    if (reference_.size() >= capacity_) {
      reference_figures_ = compute(reference_);
      reference_.clear();
    }
  }
  if (!x.predicted_label.empty() || !x.true_label.empty())
    return x.predicted_label == x.true_label ? 0.0 : 1.0;
  return std::abs(x.predicted_value - x.true_value);
}

performance_figures
performance_tracker::compute(const std::deque<joined_prediction>& xs) {
  performance_figures f;
  f.samples = xs.size();
  if (xs.empty())
    return f;
  f.classifier
    = !xs.front().predicted_label.empty() || !xs.front().true_label.empty();
  auto n = static_cast<double>(xs.size());
  if (!f.classifier) {
    double abs_sum = 0;
    double sq_sum = 0;
    double same_sign = 0;
    for (const auto& x : xs) {
      double e = x.predicted_value - x.true_value;
      abs_sum += std::abs(e);
      sq_sum += e * e;
      same_sign += (x.predicted_value > 0) == (x.true_value > 0) ? 1 : 0;
    }
    f.mae = abs_sum / n;
    f.rmse = std::sqrt(sq_sum / n);
    f.directional_accuracy = same_sign / n;
    return f;
  }
  std::set<std::string> classes;
  for (const auto& x : xs) {
    classes.insert(x.true_label);
    classes.insert(x.predicted_label);
  }
  double correct = 0;
  double loss = 0;
  auto k = static_cast<double>(classes.size());
  for (const auto& x : xs) {
    bool right = x.predicted_label == x.true_label;
    correct += right ? 1 : 0;
    double p
      = right ? x.confidence : (k > 1 ? (1 - x.confidence) / (k - 1) : 0.0);
    p = std::clamp(p, 1e-15, 1 - 1e-15);
    loss -= std::log(p);
  }
  f.accuracy = correct / n;
  f.log_loss = loss / n;
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  for (const auto& c : classes) {
    double tp = 0, fp = 0, fn = 0;
    for (const auto& x : xs) {
      bool pred = x.predicted_label == c;
      bool truth = x.true_label == c;
      tp += pred && truth ? 1 : 0;
      fp += pred && !truth ? 1 : 0;
      fn += !pred && truth ? 1 : 0;
    }
    double p = tp + fp > 0 ? tp / (tp + fp) : 0;
    double r = tp + fn > 0 ? tp / (tp + fn) : 0;
    precision += p;
    recall += r;
    f1 += p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  f.precision = precision / k;
  f.recall = recall / k;
  f.f1 = f1 / k;
  return f;
}

performance_figures performance_tracker::current() const {
  return compute(window_);
}

std::optional<performance_figures> performance_tracker::reference() const {
  return reference_figures_;
}

double performance_tracker::degradation() const {
  if (!reference_figures_ || window_.empty())
    return 0;
  auto ref = reference_figures_->primary();
  auto now = current().primary();
  if (ref == 0)
    return 0;
  return reference_figures_->classifier ? (ref - now) / ref : (now - ref) / ref;
}

void performance_tracker::reset() {
  window_.clear();
  reference_.clear();
  reference_figures_.reset();
}

} // namespace argus
