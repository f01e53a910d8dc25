#pragma once

#include "config/components.hpp"
#include "messages/interfaces.hpp"

#include <spdlog/logger.h>

#include <deque>
#include <memory>
#include <optional>

namespace argus {

/// What the tracker does with one event: the row to persist, if any.
struct tracking_outcome {
  std::optional<db_row> row;
};

/// State of the TRACKER (spec: Tracking System). Keeps histories of ensemble
/// decisions, regimes, decision steps and model behaviour, each bounded by
/// `max_tracking_history` (oldest evicted and counted), honours
/// the `enable_*` and `track_*` flags, and turns events into rows. Derived
/// statistics (disagreement, transition matrix, ...) build on these
/// histories.
struct tracker_state {
  static inline const char* name = "tracker";

  void init(config::tracker_config config, int64_t now_ns);

  tracking_outcome record(ensemble_recorded x);
  tracking_outcome record(regime_recorded x);
  tracking_outcome record(decision_step_recorded x);
  tracking_outcome record(model_behavior_recorded x);

  /// Records every event of `batch`. @returns the rows to persist.
  std::vector<db_row> record(tracking_batch batch);

  component_status status(const message_header& hdr) const;

  /// @returns the number of events kept across all histories.
  size_t history_size() const noexcept {
    return ensembles.size() + regimes.size() + decisions.size()
           + behaviors.size();
  }

  config::tracker_config cfg;
  std::deque<ensemble_recorded> ensembles;
  std::deque<regime_recorded> regimes;
  std::deque<decision_step_recorded> decisions;
  std::deque<model_behavior_recorded> behaviors;
  int64_t started_at_ns = 0;
  uint64_t recorded = 0;
  uint64_t evicted = 0;
  uint64_t ignored_disabled = 0;
  storage_writer_actor storage;
  std::shared_ptr<spdlog::logger> log;

private:
  template <class T>
  void keep(std::deque<T>& history, T x);
};

/// Spawns the tracker; rows go to `storage`.
tracker_actor::behavior_type
tracker(tracker_actor::stateful_pointer<tracker_state> self,
        config::tracker_config cfg, storage_writer_actor storage,
        std::shared_ptr<spdlog::logger> log);

} // namespace argus
