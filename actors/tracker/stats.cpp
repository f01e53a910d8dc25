#include "actors/tracker/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace argus {

regime_stats summarize_regimes(const std::vector<regime_observation>& xs,
                               int64_t now_ns) {
  regime_stats s;
  if (xs.empty())
    return s;
  for (const auto& x : xs) {
    if (s.runs.empty() || s.runs.back().regime != x.regime) {
      if (!s.runs.empty()) {
        s.runs.back().end_ns = x.time_ns;
        s.transitions.push_back({x.time_ns, s.runs.back().regime, x.regime});
        ++s.transition_counts[s.runs.back().regime][x.regime];
      }
      s.runs.push_back({x.regime, x.time_ns, x.time_ns, false});
    }
  }
  auto& last = s.runs.back();
  last.end_ns = std::max(now_ns, last.start_ns);
  last.ongoing = true;
  s.current = last.regime;
  s.current_since_ns = last.start_ns;
  s.current_duration_ns = last.end_ns - last.start_ns;
  for (const auto& [from, row] : s.transition_counts) {
    double total = 0;
    for (const auto& [to, n] : row)
      total += static_cast<double>(n);
    for (const auto& [to, n] : row)
      s.transition_matrix[from][to] = static_cast<double>(n) / total;
  }
  std::map<std::string, std::vector<double>> completed;
  std::map<std::string, double> time;
  for (const auto& r : s.runs) {
    double secs = static_cast<double>(r.end_ns - r.start_ns) / 1e9;
    time[r.regime] += secs;
    if (!r.ongoing)
      completed[r.regime].push_back(secs);
  }
  if (!completed.count(last.regime))
    completed[last.regime].push_back(
      static_cast<double>(last.end_ns - last.start_ns) / 1e9);
  for (auto& [regime, ds] : completed) {
    std::sort(ds.begin(), ds.end());
    double sum = 0;
    for (auto d : ds)
      sum += d;
    s.mean_duration_s[regime] = sum / static_cast<double>(ds.size());
    auto n = ds.size();
    s.median_duration_s[regime]
      = n % 2 ? ds[n / 2] : (ds[n / 2 - 1] + ds[n / 2]) / 2;
  }
  double total = 0;
  for (const auto& [regime, t] : time)
    total += t;
  for (const auto& [regime, t] : time)
    s.time_share[regime] = total > 0 ? t / total : 0;
  return s;
}

std::string vote_of(double score, const vote_thresholds& t) {
  return score > t.buy ? "buy" : score < t.sell ? "sell" : "hold";
}

std::string outcome_of_pnl(const std::string& final, double pnl) {
  if (pnl == 0 || (final != "buy" && final != "sell"))
    return {};
  if (pnl > 0)
    return final;
  return final == "buy" ? "sell" : "buy";
}

std::string weighted_vote(const ensemble_observation& x,
                          const vote_thresholds& t) {
  double weighted = 0;
  for (const auto& [m, w] : x.weights)
    if (auto p = x.predictions.find(m); p != x.predictions.end())
      weighted += w * p->second;
  return vote_of(weighted, t);
}

namespace {

/// Keeps every k-th point so that at most `max` remain, and the last.
void thin(std::vector<std::pair<int64_t, double>>& xs, size_t max) {
  if (max == 0 || xs.size() <= max)
    return;
  if (max == 1) {
    xs.erase(xs.begin(), xs.end() - 1);
    return;
  }
  auto last = xs.back();
  auto step = (xs.size() + max - 2) / (max - 1);
  size_t j = 0;
  for (size_t i = 0; i < xs.size(); i += step)
    xs[j++] = xs[i];
  xs.resize(j);
  if (xs.back() != last) {
    if (xs.size() == max)
      xs.back() = last;
    else
      xs.push_back(last);
  }
}

} // namespace

ensemble_stats summarize_ensembles(const std::vector<ensemble_observation>& xs,
                                   vote_thresholds t,
                                   size_t max_trajectory_points) {
  ensemble_stats s;
  s.decisions = xs.size();
  if (xs.empty())
    return s;
  std::map<std::string, double> agree;
  std::map<std::string, double> seen;
  std::map<std::string, double> weight_sum;
  std::map<std::string, double> weight_n;
  std::map<std::string, double> right;
  std::map<std::string, double> judged;
  double overrides = 0;
  double final_right = 0;
  double vote_right = 0;
  double meta_right = 0;
  double meta_judged = 0;
  for (const auto& x : xs) {
    double n = static_cast<double>(x.predictions.size());
    if (n > 0) {
      double mean = 0;
      for (const auto& [m, p] : x.predictions)
        mean += p;
      mean /= n;
      double var = 0;
      std::map<std::string, double> votes;
      for (const auto& [m, p] : x.predictions) {
        var += (p - mean) * (p - mean);
        auto v = vote_of(p, t);
        votes[v] += 1;
        seen[m] += 1;
        agree[m] += v == x.final_prediction ? 1 : 0;
      }
      s.mean_disagreement += var / n;
      double entropy = 0;
      for (const auto& [v, c] : votes)
        entropy -= c / n * std::log2(c / n);
      s.mean_vote_entropy += entropy;
    }
    for (const auto& [m, w] : x.weights) {
      weight_sum[m] += w;
      weight_n[m] += 1;
      s.latest_weight[m] = w;
      auto& trajectory = s.weight_trajectory[m];
      if (trajectory.empty() || trajectory.back().second != w)
        trajectory.emplace_back(x.time_ns, w);
    }
    auto vote = weighted_vote(x, t);
    if (!x.meta_learner_prediction.empty() && x.meta_learner_prediction != vote)
      overrides += 1;
    if (x.outcome.empty())
      continue;
    ++s.with_outcome;
    final_right += x.final_prediction == x.outcome ? 1 : 0;
    vote_right += vote == x.outcome ? 1 : 0;
    if (!x.meta_learner_prediction.empty()) {
      meta_judged += 1;
      meta_right += x.meta_learner_prediction == x.outcome ? 1 : 0;
    }
    for (const auto& [m, p] : x.predictions) {
      judged[m] += 1;
      right[m] += vote_of(p, t) == x.outcome ? 1 : 0;
    }
  }
  auto d = static_cast<double>(xs.size());
  s.mean_disagreement /= d;
  s.mean_vote_entropy /= d;
  s.override_rate = overrides / d;
  for (const auto& [m, n] : seen)
    s.agreement_with_final[m] = agree[m] / n;
  for (const auto& [m, w] : weight_sum)
    s.mean_weight[m] = w / weight_n[m];
  for (auto& [m, trajectory] : s.weight_trajectory)
    thin(trajectory, max_trajectory_points);
  constexpr auto nan = std::numeric_limits<double>::quiet_NaN();
  auto o = static_cast<double>(s.with_outcome);
  s.final_hit_rate = o > 0 ? final_right / o : nan;
  s.weighted_vote_hit_rate = o > 0 ? vote_right / o : nan;
  s.meta_learner_hit_rate = meta_judged > 0 ? meta_right / meta_judged : nan;
  for (const auto& [m, n] : judged)
    s.agreement_with_outcome[m] = right[m] / n;
  return s;
}

} // namespace argus
