#include "actors/tracker/features.hpp"

#include <algorithm>
#include <cmath>

namespace argus {

namespace {

constexpr size_t max_recent_changes = 256;

} // namespace

double importance_stability(const std::deque<double>& xs) {
  if (xs.size() < 2)
    return feature_point::unknown;
  double mean = 0;
  for (auto x : xs)
    mean += x;
  mean /= static_cast<double>(xs.size());
  if (mean == 0)
    return feature_point::unknown;
  double var = 0;
  for (auto x : xs)
    var += (x - mean) * (x - mean);
  var /= static_cast<double>(xs.size());
  auto cv = std::sqrt(var) / std::fabs(mean);
  return std::clamp(1.0 - cv, 0.0, 1.0);
}

feature_tracker::feature_tracker(config::feature_tracking_config flags,
                                 size_t max_points)
    : flags_(flags), max_points_(std::max<size_t>(max_points, 1)) {
}

std::vector<feature_rank_changed>
feature_tracker::update(const feature_snapshot& x) {
  std::vector<feature_rank_changed> changes;
  // A snapshot with nothing in it (a behaviour summary without scores)
  // names no model.
  if (x.importance.empty() && x.drift_scores.empty())
    return changes;
  ++snapshots_;
  auto& features = models_[x.model_id];
  std::vector<feature_record*> touched;
  auto touch = [&](feature_record& r) {
    if (std::find(touched.begin(), touched.end(), &r) == touched.end())
      touched.push_back(&r);
  };
  if (!x.importance.empty()) {
    // Rank 1 is the most important; ties go by name so ranks are stable.
    std::vector<std::pair<std::string, double>> order(x.importance.begin(),
                                                      x.importance.end());
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) {
                       return a.second > b.second;
                     });
    std::map<std::string, uint32_t> rank_of;
    for (size_t i = 0; i < order.size(); ++i)
      rank_of[order[i].first] = static_cast<uint32_t>(i + 1);
    auto rerank = [&](const std::string& name, feature_record& r, uint32_t rank,
                      double importance) {
      if (!flags_.track_rankings || r.latest.rank == rank)
        return;
      changes.push_back({make_header<feature_rank_changed>(correlation_id{}),
                         x.model_id, name, r.latest.rank, rank, importance,
                         x.time_ns});
      ++r.rank_changes;
      r.latest.rank = rank;
      touch(r);
    };
    for (const auto& [name, value] : x.importance) {
      auto& r = features[name];
      if (flags_.track_importance_scores)
        r.latest.importance = value;
      if (flags_.track_stability_scores) {
        r.recent_importance.push_back(value);
        while (r.recent_importance.size() > stability_window)
          r.recent_importance.pop_front();
        r.latest.stability = importance_stability(r.recent_importance);
      }
      touch(r);
      rerank(name, r, rank_of[name], value);
    }
    // A feature the model no longer reports leaves the ranking.
    for (auto& [name, r] : features)
      if (r.latest.rank != 0 && !rank_of.count(name))
        rerank(name, r, 0, 0.0);
  }
  if (flags_.track_drift_scores)
    for (const auto& [name, score] : x.drift_scores) {
      auto& r = features[name];
      r.latest.drift = score;
      touch(r);
    }
  for (auto* r : touched) {
    r->latest.time_ns = x.time_ns;
    r->history.push_back(r->latest);
    insertion_order_.push_back(r);
    ++points_;
  }
  while (points_ > max_points_)
    evict_oldest();
  for (const auto& c : changes) {
    recent_changes_.push_back(c);
    if (recent_changes_.size() > max_recent_changes)
      recent_changes_.pop_front();
  }
  return changes;
}

void feature_tracker::evict_oldest() {
  auto* r = insertion_order_.front();
  insertion_order_.pop_front();
  r->history.pop_front();
  --points_;
  ++evicted_;
}

std::vector<std::pair<std::string, const feature_record*>>
feature_tracker::ranked(const std::string& model_id, size_t top) const {
  std::vector<std::pair<std::string, const feature_record*>> result;
  auto m = models_.find(model_id);
  if (m == models_.end())
    return result;
  for (const auto& [name, r] : m->second)
    result.emplace_back(name, &r);
  // Names are already in order (std::map), so a stable sort by rank keeps
  // unranked features by name.
  std::stable_sort(result.begin(), result.end(),
                   [](const auto& a, const auto& b) {
                     auto ra = a.second->latest.rank;
                     auto rb = b.second->latest.rank;
                     if (ra == 0 || rb == 0)
                       return ra != 0 && rb == 0;
                     return ra < rb;
                   });
  if (top > 0 && result.size() > top)
    result.resize(top);
  return result;
}

} // namespace argus
