#pragma once

// Derived statistics of the tracking system: what a quant asks of
// the regimes and the ensembles. Pure functions over time-ordered
// observations, used by the tracker's views and by argusctl (offline, from
// the spec's tables).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace argus {

// -- regimes ------------------------------------------------------------------

/// A regime observation: the bot said the market was `regime` at `time_ns`.
struct regime_observation {
  int64_t time_ns = 0;
  std::string regime;
};

struct regime_transition {
  int64_t time_ns = 0;
  std::string from;
  std::string to;
};

/// A run of one regime: from its first observation to the first
/// observation of the next regime (or `now` for the current run).
struct regime_run {
  std::string regime;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  bool ongoing = false;
};

struct regime_stats {
  std::string current;
  int64_t current_since_ns = 0;
  int64_t current_duration_ns = 0;
  std::vector<regime_run> runs;
  std::vector<regime_transition> transitions;
  /// Counts of from -> to, and each row divided by its total.
  std::map<std::string, std::map<std::string, uint64_t>> transition_counts;
  std::map<std::string, std::map<std::string, double>> transition_matrix;
  /// Over completed runs (the current one counts only while it is the only
  /// run of its regime).
  std::map<std::string, double> mean_duration_s;
  std::map<std::string, double> median_duration_s;
  /// Share of the observed time (first observation to now) per regime.
  std::map<std::string, double> time_share;
};

/// `xs` in time order.
regime_stats summarize_regimes(const std::vector<regime_observation>& xs,
                               int64_t now_ns);

// -- ensembles ----------------------------------------------------------------

struct ensemble_observation {
  int64_t time_ns = 0;
  std::map<std::string, double> predictions;
  std::map<std::string, double> weights;
  std::string final_prediction;
  std::string meta_learner_prediction;
  /// What turned out right ("buy", "sell" or "hold"), once a label or the
  /// PnL arrived; empty until then.
  std::string outcome;
};

/// How member scores become votes: above `buy` a buy, below `sell` a sell,
/// else hold (the demo bot's 0.55 / 0.45).
struct vote_thresholds {
  double buy = 0.55;
  double sell = 0.45;
};

struct ensemble_stats {
  size_t decisions = 0;
  /// Mean over decisions of the population variance of the members'
  /// scores, and of the entropy (bits) of their votes.
  double mean_disagreement = 0;
  double mean_vote_entropy = 0;
  /// Decisions where the meta-learner's prediction differs from the
  /// weighted vote (sum of weight x score, thresholded), over all.
  double override_rate = 0;
  /// Per member: the share of decisions its own vote equals the final one.
  std::map<std::string, double> agreement_with_final;
  /// Per member: its latest weight and its mean weight.
  std::map<std::string, double> latest_weight;
  std::map<std::string, double> mean_weight;
  /// Per member: (time, weight) where its weight changed, thinned evenly to
  /// at most `max_trajectory_points` (the last point always kept).
  std::map<std::string, std::vector<std::pair<int64_t, double>>>
    weight_trajectory;
  /// Decisions whose outcome is known, and the share of them that the
  /// final decision, the weighted vote and the meta-learner (where it
  /// spoke) got right. NaN without outcomes.
  size_t with_outcome = 0;
  double final_hit_rate = 0;
  double weighted_vote_hit_rate = 0;
  double meta_learner_hit_rate = 0;
  /// Per member: the share of decisions with an outcome its vote got right.
  std::map<std::string, double> agreement_with_outcome;
};

std::string vote_of(double score, const vote_thresholds& t);

/// What turned out right for a decision `final` whose trades realised
/// `pnl`: `final` itself on a gain, the opposite side on a loss; empty for
/// a hold or no PnL.
std::string outcome_of_pnl(const std::string& final, double pnl);

/// The weighted vote: the sum of weight x score over the members with both,
/// thresholded.
std::string weighted_vote(const ensemble_observation& x,
                          const vote_thresholds& t);

ensemble_stats summarize_ensembles(const std::vector<ensemble_observation>& xs,
                                   vote_thresholds t = {},
                                   size_t max_trajectory_points = 200);

} // namespace argus
