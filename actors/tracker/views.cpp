#include "actors/tracker/views.hpp"

#include <cmath>

namespace argus {

using nlohmann::json;

json number_or_null(double x) {
  return std::isfinite(x) ? json(x) : json();
}

json to_json(const regime_stats& s) {
  json transitions = json::array();
  for (const auto& t : s.transitions)
    transitions.push_back(
      {{"time_ns", t.time_ns}, {"from", t.from}, {"to", t.to}});
  return {
    {"current", s.current},
    {"current_since_ns", s.current_since_ns},
    {"current_duration_s", static_cast<double>(s.current_duration_ns) / 1e9},
    {"transition_counts", s.transition_counts},
    {"transition_matrix", s.transition_matrix},
    {"mean_duration_s", s.mean_duration_s},
    {"median_duration_s", s.median_duration_s},
    {"time_share", s.time_share},
    {"transitions", transitions}};
}

json to_json(const ensemble_stats& s) {
  json trajectories = json::object();
  for (const auto& [m, points] : s.weight_trajectory) {
    json arr = json::array();
    for (const auto& [t, w] : points)
      arr.push_back({{"time_ns", t}, {"weight", w}});
    trajectories[m] = std::move(arr);
  }
  return {{"decisions", s.decisions},
          {"mean_disagreement", s.mean_disagreement},
          {"mean_vote_entropy_bits", s.mean_vote_entropy},
          {"override_rate", s.override_rate},
          {"agreement_with_final", s.agreement_with_final},
          {"latest_weight", s.latest_weight},
          {"mean_weight", s.mean_weight},
          {"weight_trajectory", trajectories},
          {"with_outcome", s.with_outcome},
          {"final_hit_rate", number_or_null(s.final_hit_rate)},
          {"weighted_vote_hit_rate", number_or_null(s.weighted_vote_hit_rate)},
          {"meta_learner_hit_rate", number_or_null(s.meta_learner_hit_rate)},
          {"agreement_with_outcome", s.agreement_with_outcome}};
}

json trace_link(const std::string& corr) {
  return {{"correlation_id", corr},
          {"api", "/api/tracing/correlation/" + corr},
          {"argusctl", "argusctl trace " + corr}};
}

json to_json(const decision_step_recorded& x) {
  return {{"step", x.step},         {"component", to_string(x.component)},
          {"name", x.name},         {"decided_by", x.decided_by},
          {"inputs", x.inputs},     {"outputs", x.outputs},
          {"start_ns", x.start_ns}, {"end_ns", x.end_ns}};
}

namespace {

json to_json(const feature_point& p) {
  return {{"time_ns", p.time_ns},
          {"importance", number_or_null(p.importance)},
          {"stability", number_or_null(p.stability)},
          {"drift", number_or_null(p.drift)},
          {"rank", p.rank}};
}

} // namespace

feature_tracker replay_feature_scores(const nlohmann::json& rows,
                                      int64_t until_ns) {
  feature_tracker features{{}, std::numeric_limits<size_t>::max()};
  for (const auto& row : rows) {
    auto t = row.value("time_ns", int64_t{0});
    if (t >= until_ns)
      continue;
    features.update({row.value("model_id", std::string{}), t,
                     row.value("importance", std::map<std::string, double>{}),
                     row.value("drift_scores",
                               std::map<std::string, double>{})});
  }
  return features;
}

json features_json(const feature_tracker& features, const std::string& model_id,
                   size_t top, size_t history) {
  json models = json::object();
  for (const auto& [model, records] : features.models()) {
    if (!model_id.empty() && model != model_id)
      continue;
    json arr = json::array();
    for (const auto& [name, r] : features.ranked(model, top)) {
      auto row = to_json(r->latest);
      row["feature"] = name;
      row["rank_changes"] = r->rank_changes;
      json points = json::array();
      auto n = std::min(history, r->history.size());
      for (auto i = r->history.size() - n; i < r->history.size(); ++i)
        points.push_back(to_json(r->history[i]));
      row["history"] = std::move(points);
      arr.push_back(std::move(row));
    }
    models[model] = std::move(arr);
  }
  json changes = json::array();
  for (const auto& c : features.recent_changes())
    if (model_id.empty() || c.model_id == model_id)
      changes.push_back({{"time_ns", c.time_ns},
                         {"model_id", c.model_id},
                         {"feature", c.feature},
                         {"from_rank", c.from_rank},
                         {"to_rank", c.to_rank},
                         {"importance", c.importance}});
  return {{"models", models},
          {"rank_changes", changes},
          {"snapshots", features.snapshots()},
          {"evicted_points", features.evicted()}};
}

} // namespace argus
