#include "actors/ml_monitor/ml_monitor.hpp"

#include "actors/common/persist.hpp"
#include "actors/common/subscribers.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace argus {

namespace {

int64_t ns(config::milliseconds x) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(x).count();
}

std::string key_of(const model_ref& m) {
  return m.model_id + "@" + m.version;
}

nlohmann::json number(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json();
}

nlohmann::json to_json(const performance_figures& f) {
  if (!f.classifier)
    return {{"samples", f.samples},
            {"mae", f.mae},
            {"rmse", f.rmse},
            {"directional_accuracy", f.directional_accuracy}};
  return {{"samples", f.samples},
          {"accuracy", f.accuracy},
          {"precision", f.precision},
          {"recall", f.recall},
          {"f1", f.f1},
          {"log_loss", f.log_loss}};
}

} // namespace

nlohmann::json to_json(const drift_alert& a) {
  return {{"model_id", a.model.model_id},
          {"model_version", a.model.version},
          {"feature", a.feature},
          {"method", a.method},
          {"severity", to_string(a.level)},
          {"score", number(a.score)},
          {"p_value", number(a.p_value)},
          {"message", a.message},
          {"time_ns", a.time_ns}};
}

void ml_monitor_state::init(config::ml_monitor_config config, int64_t now_ns) {
  cfg = std::move(config);
  started_at_ns = now_ns;
  next_drift_ns = now_ns + ns(cfg.drift_check_interval);
  next_performance_ns = now_ns + ns(cfg.performance_check_interval);
  next_features_ns = now_ns + ns(cfg.feature_analysis_interval);
}

model_monitor& ml_monitor_state::model(const model_ref& ref) {
  return models.try_emplace(key_of(ref), ref, cfg).first->second;
}

void ml_monitor_state::take(ml_batch batch) {
  // Lifecycle first: a deployment in this batch starts new references for
  // the observations after it.
  for (const auto& x : batch.lifecycle)
    model(x.model).lifecycle(x.stage);
  for (const auto& x : batch.baselines)
    model(x.model).baseline(x);
  for (const auto& x : batch.features) {
    ++features_received;
    model(x.model).observe(x);
  }
  for (auto& x : batch.predictions) {
    ++predictions_received;
    model(x.model);
    // One request may carry predictions of several models: the label says
    // which one it belongs to.
    auto corr = key_of(x.model) + "|" + x.hdr.corr.str();
    if (pending.emplace(corr, std::move(x)).second)
      pending_order.push_back(corr);
  }
  for (const auto& x : batch.labels) {
    auto it = pending.find(key_of(x.model) + "|" + x.hdr.corr.str());
    if (it == pending.end()) {
      ++labels_unmatched;
      continue;
    }
    const auto& p = it->second;
    model(p.model).outcome({p.label, p.value, p.confidence, x.label, x.value});
    pending.erase(it);
    ++labels_joined;
  }
  for (const auto& x : batch.importances)
    if (cfg.feature_importance_tracking)
      model(x.model).importance(x);
  // The bound applies after the batch's own labels were joined: a batch
  // holds a prediction and its label side by side.
  while (pending.size() > cfg.max_pending_labels && !pending_order.empty()) {
    if (pending.erase(pending_order.front()) > 0)
      ++pending_dropped;
    pending_order.pop_front();
  }
  // The order list may hold ids already joined; trim those at its front,
  // and compact it when an old prediction that never got its label keeps
  // joined ones behind it from being trimmed.
  while (!pending_order.empty() && !pending.count(pending_order.front()))
    pending_order.pop_front();
  if (pending_order.size() > 2 * pending.size() + 1024) {
    std::deque<std::string> live;
    for (auto& id : pending_order)
      if (pending.count(id))
        live.push_back(std::move(id));
    pending_order.swap(live);
  }
}

void ml_monitor_state::record_performance(const std::string& key,
                                          model_monitor& m,
                                          const performance_figures& f,
                                          int64_t now_ns, tick_output& out) {
  if (f.samples == 0)
    return;
  auto degradation = m.degradation_now();
  auto ref_perf = m.performance_reference();
  nlohmann::json point{
    {"time_ns", now_ns},
    {"metrics", to_json(f)},
    {"reference", ref_perf ? to_json(*ref_perf) : nlohmann::json()},
    {"degradation", degradation}};
  auto& h = performance_history[key];
  h.push_back(point);
  while (h.size() > 1000)
    h.pop_front();
  out.rows.push_back(storage::to_row(storage::performance_row{
    m.ref(), f.samples, dump_json(to_json(f)),
    ref_perf ? dump_json(to_json(*ref_perf)) : std::string{}, degradation,
    now_ns}));
}

void ml_monitor_state::record_importance(
  model_monitor& m, const performance_figures& f,
  const std::map<std::string, double>& drift_scores, int64_t now_ns,
  feature_scores& scores, tick_output& out) {
  const auto& ref = m.ref();
  scores.importance = m.latest_importance();
  nlohmann::json meta{{"model_version", ref.version}};
  if (const auto& c = m.importance_change_now()) {
    meta["spearman"] = number(c->spearman);
    meta["top_k_overlap"] = c->top_k_overlap;
    meta["importance_drift"] = c->drift;
    meta["entered_top_k"] = c->entered;
    meta["left_top_k"] = c->left;
  }
  out.rows.push_back(storage::to_row(storage::behavior_row{
    ref.model_id, now_ns, dump_json(to_json(f)), m.latest_importance(),
    drift_scores, dump_json(meta)}));
}

void ml_monitor_state::check_drift(const std::string& key, model_monitor& m,
                                   int64_t now_ns, feature_scores scores,
                                   tick_output& out) {
  const auto& ref = m.ref();
  ++checks;
  auto c = m.check(now_ns);
  auto& drift_scores = latest_drift_scores[key];
  drift_scores.clear();
  for (const auto& f : c.features)
    if (std::isfinite(f.score))
      drift_scores[f.feature] = f.score;
  scores.drift_scores = drift_scores;
  out.scores.push_back(std::move(scores));
  nlohmann::json features = nlohmann::json::array();
  for (const auto& f : c.features) {
    out.rows.push_back(storage::to_row(storage::drift_result_row{
      ref, f.feature, f.test, f.statistic, f.pvalue, f.score_method, f.score,
      f.drift, f.level, f.reference_size, f.current_size, now_ns}));
    features.push_back({{"feature", f.feature},
                        {"test", f.test},
                        {"p_value", number(f.pvalue)},
                        {"score_method", f.score_method},
                        {"score", number(f.score)},
                        {"drift", f.drift},
                        {"severity", to_string(f.level)}});
  }
  nlohmann::json detectors = nlohmann::json::object();
  for (const auto& [name, level] : c.detectors)
    detectors[name] = to_string(level);
  latest[key] = {{"model_id", ref.model_id},
                 {"model_version", ref.version},
                 {"time_ns", now_ns},
                 {"severity", to_string(c.model_level)},
                 {"weighted_drift_score", c.weighted_score},
                 {"drifted_share", c.drifted_share},
                 {"degradation", c.degradation},
                 {"performance", to_json(c.performance)},
                 {"detectors", detectors},
                 {"consecutive_failures", c.consecutive_failures},
                 {"features", features}};
  for (auto& e : m.alerts(c)) {
    ++alerts_changed;
    out.rows.push_back(storage::to_row(e.alert, to_string(e.change), now_ns));
    if (e.change != alert_change::resolved) {
      alert_history.push_back(e.alert);
      while (alert_history.size() > cfg.max_alert_history)
        alert_history.pop_front();
    }
    out.alerts.push_back(std::move(e.alert));
  }
  if (auto r = m.retrain(c)) {
    ++retrains_requested;
    out.rows.push_back(storage::to_row(*r, now_ns));
    out.retrains.push_back(std::move(*r));
  }
}

ml_monitor_state::tick_output ml_monitor_state::tick(int64_t now_ns) {
  tick_output out;
  bool drift_due = now_ns >= next_drift_ns;
  bool performance_due = now_ns >= next_performance_ns;
  bool features_due = now_ns >= next_features_ns;
  if (drift_due)
    next_drift_ns = now_ns + ns(cfg.drift_check_interval);
  if (performance_due)
    next_performance_ns = now_ns + ns(cfg.performance_check_interval);
  if (features_due)
    next_features_ns = now_ns + ns(cfg.feature_analysis_interval);
  for (auto& [key, m] : models) {
    // Both the performance row and the behaviour row want the figures:
    // computed once.
    performance_figures f;
    if (performance_due || features_due)
      f = m.performance_now();
    if (performance_due)
      record_performance(key, m, f, now_ns, out);
    feature_scores scores{make_header<feature_scores>(correlation_id{}),
                          m.ref().model_id,
                          {},
                          {},
                          now_ns};
    if (features_due && cfg.feature_importance_tracking
        && !m.latest_importance().empty())
      record_importance(m, f, latest_drift_scores[key], now_ns, scores, out);
    if (drift_due)
      check_drift(key, m, now_ns, std::move(scores), out);
    else if (!scores.importance.empty())
      out.scores.push_back(std::move(scores));
  }
  return out;
}

ml_view ml_monitor_state::view(const ml_query& q) const {
  ml_view v;
  v.hdr = make_header<ml_view>(q.hdr.corr);
  v.kind = q.kind;
  switch (q.kind) {
    case ml_view_kind::alerts: {
      nlohmann::json arr = nlohmann::json::array();
      // Newest first, at most `limit`.
      for (auto it = alert_history.rbegin();
           it != alert_history.rend() && v.alerts.size() < q.limit; ++it)
        if (it->level >= q.min_level
            && (q.model_id.empty() || it->model.model_id == q.model_id)) {
          v.alerts.push_back(*it);
          arr.push_back(to_json(*it));
        }
      v.body = dump_json(arr);
      break;
    }
    case ml_view_kind::performance: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& [key, h] : performance_history) {
        if (!q.model_id.empty() && key.rfind(q.model_id + "@", 0) != 0)
          continue;
        auto from = h.size() > q.limit ? h.size() - q.limit : 0;
        for (size_t i = from; i < h.size(); ++i) {
          auto p = h[i];
          p["model"] = key;
          arr.push_back(std::move(p));
        }
      }
      v.body = dump_json(arr);
      break;
    }
    case ml_view_kind::models: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& [key, m] : models) {
        auto it = latest.find(key);
        nlohmann::json j
          = it != latest.end()
              ? it->second
              : nlohmann::json{{"model_id", m.ref().model_id},
                               {"model_version", m.ref().version}};
        j["performance_now"] = to_json(m.performance_now());
        arr.push_back(std::move(j));
      }
      v.body = dump_json(arr);
      break;
    }
  }
  return v;
}

component_status ml_monitor_state::status(const message_header& hdr) const {
  return make_status(hdr, name, component_state::running, started_at_ns,
                     {
                       {"models", models.size()},
                       {"features_received", features_received},
                       {"predictions_received", predictions_received},
                       {"labels_joined", labels_joined},
                       {"labels_unmatched", labels_unmatched},
                       {"pending_labels", pending.size()},
                       {"dropped_pending_labels", pending_dropped},
                       {"checks", checks},
                       {"alerts_changed", alerts_changed},
                       {"retrains_requested", retrains_requested},
                       {"subscribers", subscribers.size()},
                     });
}

namespace {

using self_ptr = ml_monitor_actor::stateful_pointer<ml_monitor_state>;

config::milliseconds tick_interval(const config::ml_monitor_config& c) {
  return std::min({c.drift_check_interval, c.performance_check_interval,
                   c.feature_analysis_interval});
}

} // namespace

ml_monitor_actor::behavior_type
ml_monitor(self_ptr self, config::ml_monitor_config cfg,
           storage_writer_actor storage, std::shared_ptr<spdlog::logger> log) {
  auto& st = self->state;
  st.log = std::move(log);
  st.storage = std::move(storage);
  st.init(std::move(cfg), wall_clock_ns());
  forget_subscribers_when_down(self);
  self->delayed_send(self, tick_interval(st.cfg), atom::tick_v, st.generation);
  return {
    [=](ml_batch& batch) -> uint64_t {
      uint64_t taken = batch.size();
      self->state.take(std::move(batch));
      return taken;
    },
    [=](atom::tick, uint64_t generation) {
      auto& st = self->state;
      if (generation != st.generation)
        return;
      auto out = st.tick(wall_clock_ns());
      send_rows(self, st.storage, std::move(out.rows));
      if (st.tracker)
        for (auto& s : out.scores)
          self->send(st.tracker, std::move(s));
      for (const auto& s : st.subscribers) {
        for (const auto& a : out.alerts)
          caf::anon_send(s, a);
        for (const auto& r : out.retrains)
          caf::anon_send(s, r);
      }
      for (const auto& r : out.retrains)
        st.log->warn("retrain-requested model={}@{} trigger={}",
                     r.model.model_id, r.model.version, r.trigger);
      self->delayed_send(self, tick_interval(st.cfg), atom::tick_v,
                         st.generation);
    },
    [=](const ml_query& q) {
      return self->state.view(q);
    },
    [=](atom::subscribe, caf::actor& subscriber) {
      add_subscriber(self, std::move(subscriber));
    },
    [=](atom::route, const component_directory& directory) {
      self->state.storage = directory.get(storage_writer_key);
      self->state.tracker = directory.get(tracker_key);
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
