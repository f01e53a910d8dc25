#pragma once

#include "actors/ml_monitor/model.hpp"
#include "config/components.hpp"
#include "messages/interfaces.hpp"

#include <spdlog/logger.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace argus {

/// An alert as the API and the live `alerts` topic show it.
nlohmann::json to_json(const drift_alert& a);

/// State of the ML MONITOR (spec: ML Monitor). Keeps a `model_monitor` per
/// model version, joins labels to their predictions by model and
/// correlation id
/// (at most `max_pending_labels` waiting; the oldest dropped and counted),
/// and on its timer runs the checks: drift (`drift_check_interval`),
/// performance (`performance_check_interval`) and feature importance
/// (`feature_analysis_interval`). Results, alerts and retraining requests
/// go to storage; alerts and requests also to subscribers.
struct ml_monitor_state {
  static inline const char* name = "ml_monitor";

  void init(config::ml_monitor_config config, int64_t now_ns);

  /// Takes a batch of events.
  void take(ml_batch batch);

  /// What one timer tick produced.
  struct tick_output {
    std::vector<db_row> rows;
    std::vector<drift_alert> alerts;
    std::vector<retrain_requested> retrains;
    /// Per model checked: its importances and drift scores, for the
    /// tracker's feature tracking.
    std::vector<feature_scores> scores;
  };

  /// Runs the checks that are due at `now_ns`.
  tick_output tick(int64_t now_ns);

  /// The steps of a tick, for one model.
  void record_performance(const std::string& key, model_monitor& m,
                          const performance_figures& f, int64_t now_ns,
                          tick_output& out);
  void record_importance(model_monitor& m, const performance_figures& f,
                         const std::map<std::string, double>& drift_scores,
                         int64_t now_ns, feature_scores& scores,
                         tick_output& out);
  void check_drift(const std::string& key, model_monitor& m, int64_t now_ns,
                   feature_scores scores, tick_output& out);

  ml_view view(const ml_query& q) const;

  component_status status(const message_header& hdr) const;

  config::ml_monitor_config cfg;
  std::map<std::string, model_monitor> models;
  /// Predictions waiting for their labels, by correlation id, and their
  /// arrival order (for the bound).
  std::unordered_map<std::string, prediction_made> pending;
  std::deque<std::string> pending_order;
  std::deque<drift_alert> alert_history;
  /// Per model key: performance checks, newest last (bounded).
  std::map<std::string, std::deque<nlohmann::json>> performance_history;
  /// Per model key: the latest drift check's summary.
  std::map<std::string, nlohmann::json> latest;
  /// Per model key: the latest drift check's score per feature (written
  /// with the importances to `model_behavior_tracking`).
  std::map<std::string, std::map<std::string, double>> latest_drift_scores;
  storage_writer_actor storage;
  /// Where feature scores go (none without a tracker).
  tracker_actor tracker;
  std::vector<caf::actor> subscribers;
  std::shared_ptr<spdlog::logger> log;
  int64_t started_at_ns = 0;
  int64_t next_drift_ns = 0;
  int64_t next_performance_ns = 0;
  int64_t next_features_ns = 0;
  uint64_t generation = 0;
  uint64_t features_received = 0;
  uint64_t predictions_received = 0;
  uint64_t labels_joined = 0;
  uint64_t labels_unmatched = 0;
  uint64_t pending_dropped = 0;
  uint64_t checks = 0;
  uint64_t alerts_changed = 0;
  uint64_t retrains_requested = 0;

private:
  model_monitor& model(const model_ref& ref);
};

/// Spawns the ML monitor; rows go to `storage`.
ml_monitor_actor::behavior_type
ml_monitor(ml_monitor_actor::stateful_pointer<ml_monitor_state> self,
           config::ml_monitor_config cfg, storage_writer_actor storage,
           std::shared_ptr<spdlog::logger> log);

} // namespace argus
