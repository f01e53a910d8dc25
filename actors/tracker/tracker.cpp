#include "actors/tracker/tracker.hpp"

#include "actors/common/persist.hpp"
#include "actors/common/subscribers.hpp"
#include "actors/tracker/views.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "storage/rows.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace argus {

using nlohmann::json;

namespace {

constexpr std::array<tracking_view_kind, 4> all_kinds{
  tracking_view_kind::ensembles, tracking_view_kind::regimes,
  tracking_view_kind::features, tracking_view_kind::decisions};

bool in_range(const tracking_query& q, int64_t t) {
  return t >= q.since_ns && (q.until_ns == 0 || t <= q.until_ns);
}

/// The events of `history` in `q`'s time range, decoded.
template <class T>
std::vector<T> decoded(const std::deque<packed<T>>& history,
                       const tracking_query& q) {
  std::vector<T> result;
  for (const auto& x : history)
    if (in_range(q, x.time_ns()))
      result.push_back(x.get());
  return result;
}

int64_t time_of(const ensemble_recorded& x) {
  return x.time_ns;
}
int64_t time_of(const regime_recorded& x) {
  return x.time_ns;
}
int64_t time_of(const decision_step_recorded& x) {
  return x.start_ns;
}
int64_t time_of(const model_behavior_recorded& x) {
  return x.time_ns;
}

/// The newest `limit` of `xs` (all for 0).
template <class T>
std::vector<const T*> newest(const std::vector<const T*>& xs, uint64_t limit) {
  if (limit == 0 || xs.size() <= limit)
    return xs;
  return {xs.end() - static_cast<std::ptrdiff_t>(limit), xs.end()};
}

} // namespace

void tracker_state::init(config::tracker_config config, int64_t now_ns) {
  cfg = std::move(config);
  started_at_ns = now_ns;
  features = feature_tracker{cfg.feature_tracking, cfg.max_tracking_history};
}

template <class T, class OnEvict>
void tracker_state::keep(std::deque<packed<T>>& history, const T& x,
                         OnEvict on_evict) {
  history.emplace_back(x, time_of(x));
  ++recorded;
  // Each kind has its own bound, so a flood of one kind (decision steps,
  // five per request) cannot push the others out.
  while (history.size() > cfg.max_tracking_history) {
    on_evict(history.front());
    history.pop_front();
    ++evicted;
  }
}

template <class T>
void tracker_state::keep(std::deque<packed<T>>& history, const T& x) {
  keep(history, x, [](const packed<T>&) {});
}

db_row tracker_state::linked(db_row row) const {
  // Without correlation tracking, the spec's tables get no row_correlation
  // entry (one insert less per row); decision steps keep theirs, which is
  // a column of their own table and what their path is.
  if (!cfg.enable_correlation_tracking)
    row.corr = correlation_id{};
  return row;
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
  auto row = linked(storage::to_row(x));
  ++known_ensembles[x.ensemble_id];
  mark(tracking_view_kind::ensembles);
  keep(ensembles, x, [this](const packed<ensemble_recorded>& oldest) {
    // An ensemble is known while a decision of it is held.
    auto id = oldest.get().ensemble_id;
    if (auto i = known_ensembles.find(id);
        i != known_ensembles.end() && --i->second == 0)
      known_ensembles.erase(i);
  });
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
  auto lasted_s = [&] {
    return static_cast<double>(
             std::max<int64_t>(x.time_ns - current_regime_since_ns, 0))
           / 1e9;
  };
  if (current_regime.empty()) {
    current_regime = x.regime_type;
    current_regime_since_ns = x.time_ns;
  } else if (x.regime_type != current_regime) {
    // Transitions are events whether or not durations are kept: other
    // components and reports act on them.
    ++transitions;
    pending.regime_changes.push_back({make_header<regime_changed>(x.hdr.corr),
                                      current_regime, x.regime_type, lasted_s(),
                                      x.regime_confidence, x.time_ns});
    current_regime = x.regime_type;
    current_regime_since_ns = x.time_ns;
  }
  if (!flags.track_regime_duration)
    x.regime_duration = 0;
  else if (x.regime_duration == 0)
    x.regime_duration = static_cast<int64_t>(lasted_s());
  auto row = linked(storage::to_row(x));
  mark(tracking_view_kind::regimes);
  keep(regimes, x);
  return {std::move(row)};
}

tracking_outcome tracker_state::record(decision_step_recorded x) {
  if (!cfg.enable_decision_path_tracking) {
    ++ignored_disabled;
    return {};
  }
  auto row = storage::to_row(x);
  mark(tracking_view_kind::decisions);
  keep(decisions, x);
  return {std::move(row)};
}

tracking_outcome tracker_state::record(model_behavior_recorded x) {
  auto row = linked(storage::to_row(x));
  take_features(x.model_id, x.time_ns, x.feature_importance, x.drift_scores);
  keep(behaviors, x);
  return {std::move(row)};
}

void tracker_state::record(const ensemble_outcome& x) {
  if (!cfg.enable_ensemble_tracking || x.hdr.corr.empty())
    return;
  if (x.from_label && !known_ensembles.count(x.ensemble_id))
    return;
  if (!x.from_label && x.realized_pnl == 0)
    return;
  auto key = std::string{x.hdr.corr.view()};
  auto [i, added] = outcomes.try_emplace(key);
  if (added) {
    outcome_order.push_back(key);
    while (outcome_order.size() > cfg.max_tracking_history) {
      outcomes.erase(outcome_order.front());
      outcome_order.pop_front();
    }
  }
  if (x.from_label)
    i->second.label = x.label.empty() ? vote_of(x.value, {}) : x.label;
  else
    i->second.realized_pnl += x.realized_pnl;
  ++outcomes_joined;
  mark(tracking_view_kind::ensembles);
}

void tracker_state::record(const feature_scores& x) {
  take_features(x.model_id, x.time_ns, x.importance, x.drift_scores);
}

void tracker_state::take_features(
  const std::string& model_id, int64_t time_ns,
  const std::map<std::string, double>& importance,
  const std::map<std::string, double>& drift_scores) {
  if (importance.empty() && drift_scores.empty())
    return;
  for (auto& c : features.update({model_id, time_ns, importance, drift_scores}))
    pending.rank_changes.push_back(std::move(c));
  mark(tracking_view_kind::features);
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
  for (const auto& o : batch.outcomes)
    record(o);
  return rows;
}

tracking_events tracker_state::take_events() {
  return std::exchange(pending, {});
}

std::string tracker_state::outcome_of(const ensemble_recorded& x) const {
  auto i = outcomes.find(std::string{x.hdr.corr.view()});
  if (i == outcomes.end())
    return {};
  if (!i->second.label.empty())
    return i->second.label;
  return outcome_of_pnl(x.final_prediction, i->second.realized_pnl);
}

std::chrono::milliseconds
tracker_state::update_interval(tracking_view_kind kind) const {
  switch (kind) {
    case tracking_view_kind::regimes:
      return cfg.regime_update_interval;
    case tracking_view_kind::decisions:
      return cfg.decision_update_interval;
    case tracking_view_kind::ensembles:
    case tracking_view_kind::features:
      break;
  }
  return cfg.ensemble_update_interval;
}

json tracker_state::regimes_view(const tracking_query& q,
                                 int64_t now_ns) const {
  auto held = decoded(regimes, q);
  std::vector<const regime_recorded*> xs;
  for (const auto& x : held)
    xs.push_back(&x);
  if (xs.empty())
    return {
      {"observations", 0}, {"current", nullptr}, {"history", json::array()}};
  std::vector<regime_observation> obs;
  obs.reserve(xs.size());
  for (const auto* x : xs)
    obs.push_back({x->time_ns, x->regime_type});
  auto until = q.until_ns == 0 ? now_ns : std::min(q.until_ns, now_ns);
  auto out = to_json(summarize_regimes(obs, until));
  const auto& last = *xs.back();
  out["observations"] = xs.size();
  out["latest"]
    = {{"time_ns", last.time_ns},
       {"correlation_id", last.hdr.corr.view()},
       {"regime_type", last.regime_type},
       {"regime_confidence", last.regime_confidence},
       {"regime_probabilities", last.regime_probabilities},
       {"regime_features", last.regime_features},
       {"regime_indicators", last.regime_indicators},
       {"regime_transition_probability", last.regime_transition_probability},
       {"regime_duration", last.regime_duration}};
  json history = json::array();
  for (const auto* x : newest(xs, q.limit))
    history.push_back({{"time_ns", x->time_ns},
                       {"regime_type", x->regime_type},
                       {"regime_confidence", x->regime_confidence}});
  out["history"] = std::move(history);
  return out;
}

json tracker_state::ensembles_view(const tracking_query& q) const {
  auto held = decoded(ensembles, q);
  std::map<std::string, std::vector<const ensemble_recorded*>> by_id;
  for (const auto& x : held)
    if (q.id.empty() || x.ensemble_id == q.id)
      by_id[x.ensemble_id].push_back(&x);
  auto decision = [&](const ensemble_recorded& x) {
    auto outcome = outcome_of(x);
    return json{{"time_ns", x.time_ns},
                {"correlation_id", x.hdr.corr.view()},
                {"ensemble_type", x.ensemble_type},
                {"individual_predictions", x.individual_predictions},
                {"ensemble_weights", x.ensemble_weights},
                {"final_prediction", x.final_prediction},
                {"confidence", x.confidence},
                {"meta_learner_prediction", x.meta_learner_prediction},
                {"meta_learner_confidence", x.meta_learner_confidence},
                {"outcome", outcome.empty() ? json() : json(outcome)}};
  };
  json out = json::object();
  for (const auto& [id, xs] : by_id) {
    std::vector<ensemble_observation> obs;
    obs.reserve(xs.size());
    for (const auto* x : xs)
      obs.push_back({x->time_ns, x->individual_predictions, x->ensemble_weights,
                     x->final_prediction, x->meta_learner_prediction,
                     outcome_of(*x)});
    json history = json::array();
    for (const auto* x : newest(xs, q.limit))
      history.push_back(decision(*x));
    out[id] = {{"latest", decision(*xs.back())},
               {"stats", to_json(summarize_ensembles(obs))},
               {"history", std::move(history)}};
  }
  return {{"ensembles", std::move(out)}};
}

json tracker_state::decisions_view(const tracking_query& q) const {
  if (!q.id.empty()) {
    // Only the steps whose id hash matches are decoded.
    std::vector<decision_step_recorded> held;
    if (auto corr = correlation_id::parse(q.id))
      for (const auto& x : decisions)
        if (x.may_be_of(*corr))
          held.push_back(x.get());
    std::vector<const decision_step_recorded*> steps;
    for (const auto& x : held)
      if (x.hdr.corr.view() == q.id)
        steps.push_back(&x);
    std::stable_sort(steps.begin(), steps.end(), [](auto* a, auto* b) {
      return std::tie(a->step, a->start_ns) < std::tie(b->step, b->start_ns);
    });
    json arr = json::array();
    for (const auto* s : steps)
      arr.push_back(to_json(*s));
    // The same correlation id names the request's trace.
    return {{"correlation_id", q.id},
            {"steps", std::move(arr)},
            {"trace", trace_link(q.id)}};
  }
  // The latest paths, one line each.
  struct path {
    std::string corr;
    size_t steps = 0;
    const decision_step_recorded* first = nullptr;
    const decision_step_recorded* last = nullptr;
    int64_t start_ns = 0;
    int64_t end_ns = 0;
  };
  std::vector<path> paths;
  std::unordered_map<std::string_view, size_t> index;
  auto held = decoded(decisions, q);
  for (const auto& x : held) {
    auto [i, added] = index.try_emplace(x.hdr.corr.view(), paths.size());
    if (added)
      paths.push_back(
        {std::string{x.hdr.corr.view()}, 0, &x, &x, x.start_ns, x.end_ns});
    auto& p = paths[i->second];
    ++p.steps;
    if (x.step < p.first->step)
      p.first = &x;
    if (x.step >= p.last->step)
      p.last = &x;
    p.start_ns = std::min(p.start_ns, x.start_ns);
    p.end_ns = std::max(p.end_ns, x.end_ns);
  }
  json arr = json::array();
  auto from
    = q.limit == 0 || paths.size() <= q.limit ? 0 : paths.size() - q.limit;
  for (auto i = from; i < paths.size(); ++i) {
    const auto& p = paths[i];
    arr.push_back(
      {{"correlation_id", p.corr},
       {"steps", p.steps},
       {"from", to_string(p.first->component)},
       {"to", to_string(p.last->component)},
       {"decided_by", p.last->decided_by},
       {"outputs", p.last->outputs},
       {"start_ns", p.start_ns},
       {"duration_ms", static_cast<double>(p.end_ns - p.start_ns) / 1e6}});
  }
  return {{"paths", std::move(arr)}, {"total_paths", paths.size()}};
}

json tracker_state::behavior_view(const tracking_query& q) const {
  // The latest summary per model, newest first found from the back.
  json out = json::object();
  auto held = decoded(behaviors, q);
  for (auto i = held.rbegin(); i != held.rend(); ++i) {
    if ((!q.id.empty() && i->model_id != q.id) || out.contains(i->model_id))
      continue;
    out[i->model_id]
      = {{"time_ns", i->time_ns},
         {"prediction_consistency", i->prediction_consistency},
         {"confidence_trend", i->confidence_trend},
         {"feature_importance_stability", i->feature_importance_stability},
         {"prediction_drift", i->prediction_drift},
         {"performance_metrics", i->performance_metrics}};
  }
  return out;
}

size_t tracker_state::held_bytes() const noexcept {
  size_t total = 0;
  auto add = [&](const auto& history) {
    for (const auto& x : history)
      total += x.heap_bytes();
  };
  add(ensembles);
  add(regimes);
  add(decisions);
  add(behaviors);
  return total;
}

tracking_view tracker_state::view(const tracking_query& q,
                                  int64_t now_ns) const {
  json body;
  switch (q.kind) {
    case tracking_view_kind::regimes:
      body = regimes_view(q, now_ns);
      break;
    case tracking_view_kind::ensembles:
      body = ensembles_view(q);
      break;
    case tracking_view_kind::features:
      body = features_json(features, q.id, q.top, q.limit);
      body["behavior"] = behavior_view(q);
      break;
    case tracking_view_kind::decisions:
      body = decisions_view(q);
      break;
  }
  body["kind"] = to_string(q.kind);
  body["time_ns"] = now_ns;
  return {make_header<tracking_view>(q.hdr.corr), q.kind, dump_json(body)};
}

component_status tracker_state::status(const message_header& hdr) const {
  return make_status(hdr, name, component_state::running, started_at_ns,
                     {
                       {"recorded", recorded},
                       {"evicted", evicted},
                       {"ignored_disabled", ignored_disabled},
                       {"history_size", history_size()},
                       {"held_bytes", held_bytes()},
                       {"ensembles", ensembles.size()},
                       {"regimes", regimes.size()},
                       {"decision_steps", decisions.size()},
                       {"model_behaviors", behaviors.size()},
                       {"regime_transitions", transitions},
                       {"outcomes_joined", outcomes_joined},
                       {"feature_snapshots", features.snapshots()},
                       {"feature_points", features.points()},
                       {"feature_points_evicted", features.evicted()},
                       {"subscribers", subscribers.size()},
                     });
}

namespace {

using self_ptr = tracker_actor::stateful_pointer<tracker_state>;

/// Sends the events collected while recording to the subscribers.
void publish_events(self_ptr self) {
  auto& st = self->state;
  if (st.pending.empty())
    return;
  auto events = st.take_events();
  for (const auto& s : st.subscribers) {
    for (const auto& e : events.regime_changes)
      caf::anon_send(s, e);
    for (const auto& e : events.rank_changes)
      caf::anon_send(s, e);
  }
  for (const auto& e : events.regime_changes)
    st.log->info("regime-changed from={} to={} after={:.1f}s", e.from, e.to,
                 e.previous_duration_s);
}

void schedule(self_ptr self, tracking_view_kind kind) {
  self->delayed_send(self, self->state.update_interval(kind), atom::tick_v,
                     static_cast<uint64_t>(kind));
}

} // namespace

tracker_actor::behavior_type
tracker(tracker_actor::stateful_pointer<tracker_state> self,
        config::tracker_config cfg, storage_writer_actor storage,
        std::shared_ptr<spdlog::logger> log) {
  self->state.init(std::move(cfg), wall_clock_ns());
  self->state.storage = std::move(storage);
  self->state.log = std::move(log);
  forget_subscribers_when_down(self);
  for (auto kind : all_kinds)
    schedule(self, kind);
  return {
    [=](tracking_batch& batch) -> caf::result<uint64_t> {
      uint64_t taken = batch.size();
      auto corr = batch.hdr.corr;
      auto rows = self->state.record(std::move(batch));
      publish_events(self);
      return persist_then_reply(self, self->state.storage, corr,
                                std::move(rows), taken);
    },
    [=](const feature_scores& x) {
      self->state.record(x);
      publish_events(self);
    },
    [=](const tracking_query& q) {
      return self->state.view(q, wall_clock_ns());
    },
    [=](atom::subscribe, caf::actor& subscriber) {
      add_subscriber(self, std::move(subscriber));
    },
    [=](atom::tick, uint64_t index) {
      auto& st = self->state;
      if (index >= all_kinds.size())
        return;
      auto kind = all_kinds[index];
      // Views are built only when someone listens and something changed.
      if (st.dirty[index] && !st.subscribers.empty()) {
        tracking_query q;
        q.kind = kind;
        auto v = st.view(q, wall_clock_ns());
        for (const auto& s : st.subscribers)
          caf::anon_send(s, v);
        st.dirty[index] = false;
      }
      schedule(self, kind);
    },
    [=](atom::route, const component_directory& directory) {
      self->state.storage = directory.get(storage_writer_key);
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
