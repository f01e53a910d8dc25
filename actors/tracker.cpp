#include "actors/tracker.hpp"

#include "actors/persist.hpp"
#include "messages/time.hpp"
#include "storage/rows.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>

namespace argus {

void tracker_state::init(config::tracker_config config, int64_t now_ns) {
  cfg = std::move(config);
  started_at_ns = now_ns;
}

template <class T>
void tracker_state::keep(std::deque<T>& history, T x) {
  history.push_back(std::move(x));
  ++recorded;
  // Each kind has its own bound, so a flood of one kind (decision steps,
  // five per request) cannot push the others out.
  while (history.size() > cfg.max_tracking_history) {
    history.pop_front();
    ++evicted;
  }
}

tracking_outcome tracker_state::record(ensemble_recorded x) {
  if (!cfg.enable_ensemble_tracking) {
    ++ignored_disabled;
    return {};
  }
  const auto& flags = cfg.ensemble_tracking;
  if (!flags.track_individual_predictions)
    x.individual_predictions.clear();
  if (!flags.track_ensemble_weights)
    x.ensemble_weights.clear();
  if (!flags.track_meta_learner) {
    x.meta_learner_prediction.clear();
    x.meta_learner_confidence = 0.0;
  }
  if (!flags.track_confidence_scores)
    x.confidence = 0.0;
  auto row = storage::to_row(x);
  keep(ensembles, std::move(x));
  return {std::move(row)};
}

tracking_outcome tracker_state::record(regime_recorded x) {
  if (!cfg.enable_regime_tracking) {
    ++ignored_disabled;
    return {};
  }
  const auto& flags = cfg.regime_tracking;
  if (!flags.track_regime_probabilities)
    x.regime_probabilities.clear();
  if (!flags.track_regime_features)
    x.regime_features.clear();
  if (!flags.track_regime_indicators)
    x.regime_indicators.clear();
  if (!flags.track_regime_transitions)
    x.regime_transition_probability = 0.0;
  if (!flags.track_regime_duration)
    x.regime_duration = 0;
  auto row = storage::to_row(x);
  keep(regimes, std::move(x));
  return {std::move(row)};
}

tracking_outcome tracker_state::record(decision_step_recorded x) {
  if (!cfg.enable_decision_path_tracking) {
    ++ignored_disabled;
    return {};
  }
  auto row = storage::to_row(x);
  keep(decisions, std::move(x));
  return {std::move(row)};
}

tracking_outcome tracker_state::record(model_behavior_recorded x) {
  auto row = storage::to_row(x);
  keep(behaviors, std::move(x));
  return {std::move(row)};
}

std::vector<db_row> tracker_state::record(tracking_batch batch) {
  std::vector<db_row> rows;
  rows.reserve(batch.size());
  auto add = [&](auto& events) {
    for (auto& e : events)
      if (auto out = record(std::move(e)); out.row)
        rows.push_back(std::move(*out.row));
  };
  add(batch.ensembles);
  add(batch.regimes);
  add(batch.decisions);
  add(batch.behaviors);
  return rows;
}

component_status tracker_state::status(const message_header& hdr) const {
  return make_status(hdr, name, component_state::running, started_at_ns,
                     {
                       {"recorded", recorded},
                       {"evicted", evicted},
                       {"ignored_disabled", ignored_disabled},
                       {"history_size", history_size()},
                       {"ensembles", ensembles.size()},
                       {"regimes", regimes.size()},
                       {"decision_steps", decisions.size()},
                       {"model_behaviors", behaviors.size()},
                     });
}

tracker_actor::behavior_type
tracker(tracker_actor::stateful_pointer<tracker_state> self,
        config::tracker_config cfg, storage_writer_actor storage,
        std::shared_ptr<spdlog::logger> log) {
  self->state.init(std::move(cfg), wall_clock_ns());
  self->state.storage = std::move(storage);
  self->state.log = std::move(log);
  return {
    [=](tracking_batch& batch) -> caf::result<uint64_t> {
      uint64_t taken = batch.size();
      auto corr = batch.hdr.corr;
      auto rows = self->state.record(std::move(batch));
      return persist_then_reply(self, self->state.storage, corr,
                                std::move(rows), taken);
    },
    [=](atom::route, storage_writer_actor& storage) {
      self->state.storage = std::move(storage);
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      return self->delegate(self->state.storage, atom::flush_v, hdr);
    },
    [=](atom::status, const message_header& hdr) {
      return status_with_mailbox(self, hdr);
    },
  };
}

} // namespace argus
