#pragma once

// Everything the ML monitor knows about one model version: its
// features' reference and current windows, its performance against labels
// and the detectors on its error stream, its feature importances, its
// alerts, and when it last asked to be retrained. Pure logic in the
// caller's clock; the actor feeds it and persists what `check` returns.
//
// A check, per feature (the method chosen by type and size):
//   numeric      p-value: Cramér-von Mises when both windows hold <= 20
//                values (exact), else Kolmogorov-Smirnov; score: PSI
//                (`distribution_comparison` on) or the KS D.
//   categorical  p-value: chi-square; score: PSI over the categories.
// The p-values of one model's features are corrected together
// (Benjamini-Hochberg at `significance`); a feature drifts when its score
// reaches `drift_threshold` and (with `statistical_test` on) its p-value is
// a discovery. Severity from the score (`drift::severity_of`).
//   feature_drift            the model's score is the importance-weighted
//                            mean of its features' scores (equal weights
//                            without importances); also the share of
//                            features that drift.
//   performance_degradation  degradation of the primary metric against the
//                            reference period: severity_of(d, t/2, 1.5 t)
//                            with t = performance_degradation_threshold
//                            (0.1 low ... 0.3 critical by default); ADWIN,
//                            Page-Hinkley and DDM on the error stream: a
//                            drift since the last check is high, a warning
//                            low.
// Retraining (with `auto_retraining_enabled`), at most once per
// `retrain_cooldown`: a critical drift (model or feature score >=
// critical_drift_threshold), degradation > performance_degradation_threshold,
// or `consecutive_failures` failed checks in a row (a check fails when a
// feature drifts, performance degrades past the threshold, or a detector
// drifted).

#include "actors/ml_monitor/alerts.hpp"
#include "actors/ml_monitor/detectors.hpp"
#include "actors/ml_monitor/importance.hpp"
#include "actors/ml_monitor/performance.hpp"
#include "actors/ml_monitor/windows.hpp"
#include "config/components.hpp"
#include "messages/ml.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace argus {

struct feature_check {
  std::string feature;
  bool categorical = false;
  /// The test that gave the p-value ("ks", "cvm", "chi2"), and its result.
  std::string test;
  double statistic = 0;
  double pvalue = 1;
  /// What the thresholds compare ("psi" or "ks") and its value.
  std::string score_method;
  double score = 0;
  bool significant = true;
  bool drift = false;
  severity level = severity::none;
  std::vector<std::string> new_categories;
  size_t reference_size = 0;
  size_t current_size = 0;
};

struct model_check {
  model_ref model;
  int64_t time_ns = 0;
  std::vector<feature_check> features;
  double drifted_share = 0;
  double weighted_score = 0;
  severity model_level = severity::none;
  performance_figures performance;
  std::optional<performance_figures> reference_performance;
  double degradation = 0;
  severity performance_level = severity::none;
  /// The worst level each detector reached since the previous check.
  std::map<std::string, detector_level> detectors;
  bool failed = false;
  size_t consecutive_failures = 0;
};

/// An alert that fired, escalated or resolved at a check.
struct alert_event {
  drift_alert alert;
  alert_change change = alert_change::none;
};

class model_monitor {
public:
  model_monitor(model_ref ref, const config::ml_monitor_config& cfg);

  void observe(const features_observed& x);

  /// A prediction joined to its label; feeds performance and detectors.
  void outcome(const joined_prediction& x);

  void importance(const feature_importance_reported& x);

  /// Sets one feature's reference explicitly (complete at once).
  void baseline(const baseline_uploaded& x);

  /// A new deployment starts new references and a new performance
  /// reference period.
  void lifecycle(model_stage stage);

  model_check check(int64_t now_ns);

  /// Feeds `c` to the alert states. @returns what changed.
  std::vector<alert_event> alerts(const model_check& c);

  /// @returns a retraining request if `c` calls for one (and the cooldown
  ///          allows), with the evidence as JSON in `reason`.
  std::optional<retrain_requested> retrain(const model_check& c);

  /// The latest importance change (between the last two snapshots).
  const std::optional<importance_change>& importance_change_now() const {
    return importance_change_;
  }
  const importance_map& latest_importance() const {
    return latest_importance_;
  }

  const model_ref& ref() const noexcept {
    return ref_;
  }

  performance_figures performance_now() const {
    return performance_.current();
  }
  std::optional<performance_figures> performance_reference() const {
    return performance_.reference();
  }
  double degradation_now() const {
    return performance_.degradation();
  }

private:
  struct categorical_feature {
    std::map<std::string, uint64_t> reference;
    uint64_t reference_count = 0;
    bool uploaded = false;
    std::deque<std::string> window;
    std::map<std::string, uint64_t> counts;
  };

  const config::ml_monitor_config* cfg_;
  model_ref ref_;
  std::map<std::string, feature_reference> references_;
  std::map<std::string, feature_window> windows_;
  std::map<std::string, categorical_feature> categorical_;
  performance_tracker performance_;
  adwin adwin_;
  page_hinkley page_hinkley_;
  ddm ddm_;
  std::map<std::string, detector_level> worst_since_check_;
  importance_map latest_importance_;
  std::optional<importance_change> importance_change_;
  std::map<std::string, alert_state> alert_states_;
  size_t consecutive_failures_ = 0;
  int64_t last_retrain_ns_ = 0;
  bool retrained_ = false;
};

} // namespace argus
