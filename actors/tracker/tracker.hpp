#pragma once

#include "actors/common/packed.hpp"
#include "actors/tracker/features.hpp"
#include "config/components.hpp"
#include "messages/interfaces.hpp"

#include <spdlog/logger.h>

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>

#include <nlohmann/json_fwd.hpp>

namespace argus {

/// What the tracker does with one event: the row to persist, if any.
struct tracking_outcome {
  std::optional<db_row> row;
};

/// Events for the tracker's subscribers, collected while recording.
struct tracking_events {
  std::vector<regime_changed> regime_changes;
  std::vector<feature_rank_changed> rank_changes;

  bool empty() const noexcept {
    return regime_changes.empty() && rank_changes.empty();
  }
};

/// State of the TRACKER (spec: Tracking System). Keeps histories of ensemble
/// decisions, regimes, decision steps and model behaviour, each bounded by
/// `max_tracking_history` (oldest evicted and counted), honours the
/// `enable_*` and `track_*` flags, and turns events into rows. On top of
/// the histories: the current regime and its transitions (as events),
/// ensemble outcomes joined by correlation id, feature tracking, and the
/// views behind the spec's `/api/tracking/*`.
struct tracker_state {
  static inline const char* name = "tracker";

  void init(config::tracker_config config, int64_t now_ns);

  tracking_outcome record(ensemble_recorded x);
  tracking_outcome record(regime_recorded x);
  tracking_outcome record(decision_step_recorded x);
  tracking_outcome record(model_behavior_recorded x);

  /// Joins an outcome to the decision under the same correlation id
  /// (before or after the decision arrives).
  void record(const ensemble_outcome& x);

  /// Feature importances and drift scores from the ML monitor.
  void record(const feature_scores& x);

  /// Records every event of `batch`. @returns the rows to persist.
  std::vector<db_row> record(tracking_batch batch);

  /// @returns and forgets the events collected since the last call.
  tracking_events take_events();

  /// The latest state, the history in the query's range and the derived
  /// statistics of one kind.
  tracking_view view(const tracking_query& q, int64_t now_ns) const;

  /// @returns the update interval of `kind` (features go with ensembles).
  std::chrono::milliseconds update_interval(tracking_view_kind kind) const;

  component_status status(const message_header& hdr) const;

  /// @returns the number of events kept across all histories.
  size_t history_size() const noexcept {
    return ensembles.size() + regimes.size() + decisions.size()
           + behaviors.size();
  }

  /// @returns the heap bytes of the encoded histories (what
  ///          `max_tracking_history` costs).
  size_t held_bytes() const noexcept;

  config::tracker_config cfg;
  // Held encoded (a third of their decoded size): views decode what they
  // read.
  std::deque<packed<ensemble_recorded>> ensembles;
  std::deque<packed<regime_recorded>> regimes;
  std::deque<packed<decision_step_recorded>> decisions;
  std::deque<packed<model_behavior_recorded>> behaviors;
  feature_tracker features{{}, 1};
  /// Outcomes by correlation id: a label's verdict, or the summed PnL.
  struct outcome_entry {
    std::string label;
    double realized_pnl = 0;
  };
  std::unordered_map<std::string, outcome_entry> outcomes;
  std::deque<std::string> outcome_order;
  /// Ensemble ids with decisions held, and how many: a label for one of
  /// them is an outcome.
  std::unordered_map<std::string, size_t> known_ensembles;
  /// The regime of the last observation and since when it holds.
  std::string current_regime;
  int64_t current_regime_since_ns = 0;
  /// Which kinds changed since their last publication (by
  /// `tracking_view_kind`).
  std::array<bool, 4> dirty{};
  tracking_events pending;
  int64_t started_at_ns = 0;
  uint64_t recorded = 0;
  uint64_t evicted = 0;
  uint64_t ignored_disabled = 0;
  uint64_t transitions = 0;
  uint64_t outcomes_joined = 0;
  std::vector<caf::actor> subscribers;
  storage_writer_actor storage;
  std::shared_ptr<spdlog::logger> log;

private:
  /// Holds `x`, evicting the oldest beyond `max_tracking_history` (each
  /// passed to `on_evict` first).
  template <class T, class OnEvict>
  void keep(std::deque<packed<T>>& history, const T& x, OnEvict on_evict);
  template <class T>
  void keep(std::deque<packed<T>>& history, const T& x);

  void mark(tracking_view_kind kind) {
    dirty[static_cast<size_t>(kind)] = true;
  }

  /// `row`, linked to its correlation id only with
  /// `enable_correlation_tracking`.
  db_row linked(db_row row) const;

  /// The outcome known for a decision, or empty.
  std::string outcome_of(const ensemble_recorded& x) const;

  void take_features(const std::string& model_id, int64_t time_ns,
                     const std::map<std::string, double>& importance,
                     const std::map<std::string, double>& drift_scores);

  nlohmann::json regimes_view(const tracking_query& q, int64_t now_ns) const;
  nlohmann::json ensembles_view(const tracking_query& q) const;
  nlohmann::json decisions_view(const tracking_query& q) const;
  /// The latest model-behaviour summary per model.
  nlohmann::json behavior_view(const tracking_query& q) const;
};

/// Spawns the tracker; rows go to `storage`.
tracker_actor::behavior_type
tracker(tracker_actor::stateful_pointer<tracker_state> self,
        config::tracker_config cfg, storage_writer_actor storage,
        std::shared_ptr<spdlog::logger> log);

} // namespace argus
