#include "runtime/dispatcher.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>

namespace argus::runtime {

namespace {

/// How long the dispatcher waits for a component to take a batch.
constexpr auto delivery_timeout = std::chrono::seconds{60};

template <class... Fs>
struct overload : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overload(Fs...) -> overload<Fs...>;

using self_ptr = dispatcher_actor::stateful_pointer<dispatcher_state>;

size_t batch_size(const tracking_batch& x) {
  return x.size();
}

size_t batch_size(const span_batch& x) {
  return x.spans.size();
}

size_t batch_size(const request_batch& x) {
  return x.size();
}

size_t batch_size(const metrics_batch& x) {
  return x.size();
}

size_t batch_size(const ml_batch& x) {
  return x.size();
}

/// Hands flushes on to the supervisor once everything accepted before them
/// was taken by the components.
void release_flushes(self_ptr self) {
  auto& st = self->state;
  if (st.in_flight > 0)
    return;
  auto i = st.flushes.begin();
  while (i != st.flushes.end()) {
    if (st.popped < i->target) {
      ++i;
      continue;
    }
    auto rp = i->rp;
    if (!st.supervisor)
      rp.deliver(caf::make_error(ec::component_down, "engine not started"));
    else
      self->request(st.supervisor, caf::infinite, atom::flush_v, i->hdr)
        .then(
          [rp](flush_ack& ack) mutable {
            rp.deliver(std::move(ack));
          },
          [rp](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
    i = st.flushes.erase(i);
  }
}

void pump(self_ptr self);

/// Hands `batch` to `component`; the answer lets the next batches go.
template <class Handle, class Batch>
void deliver(self_ptr self, const Handle& component, Batch batch) {
  auto n = batch_size(batch);
  ++self->state.in_flight;
  self->request(component, delivery_timeout, std::move(batch))
    .then(
      [self](uint64_t taken) {
        self->state.core->dispatched.fetch_add(taken,
                                               std::memory_order_relaxed);
        --self->state.in_flight;
        pump(self);
      },
      [self, n](caf::error&) {
        // The component crashed or timed out: the supervisor restarts it
        // and the next flush reports the crash; these events are counted.
        self->state.core->failed_delivery.fetch_add(n,
                                                    std::memory_order_relaxed);
        --self->state.in_flight;
        pump(self);
      });
}

/// Moves batches out of the client queue until it is empty or batches are
/// in flight.
void pump(self_ptr self) {
  auto& st = self->state;
  auto& core = *st.core;
  while (st.in_flight == 0) {
    // From here on, a producer that finds the flag down wakes us up.
    core.drain_scheduled.store(false, std::memory_order_release);
    auto batch
      = st.take(dispatcher_batch,
                {static_cast<bool>(st.tracker), static_cast<bool>(st.tracer),
                 static_cast<bool>(st.correlations),
                 static_cast<bool>(st.dashboard), static_cast<bool>(st.ml)});
    if (batch.popped == 0)
      break;
    core.drain_scheduled.store(true, std::memory_order_release);
    core.unrouted.fetch_add(batch.unrouted, std::memory_order_relaxed);
    // Requests first: the correlation manager must know a request before
    // the tracer reports the components its spans touched.
    if (!batch.requests.empty())
      deliver(self, st.correlations, std::move(batch.requests));
    if (!batch.tracking.empty())
      deliver(self, st.tracker, std::move(batch.tracking));
    if (!batch.spans.spans.empty())
      deliver(self, st.tracer, std::move(batch.spans));
    if (batch.metrics.size() > 0)
      deliver(self, st.dashboard, std::move(batch.metrics));
    if (batch.ml.size() > 0)
      deliver(self, st.ml, std::move(batch.ml));
  }
  release_flushes(self);
}

} // namespace

routed_batch dispatcher_state::take(size_t max, routes available) {
  routed_batch result;
  auto& t = result.tracking;
  inbound_event event;
  // Copied, not moved, out of the queue: what the bot's thread allocated
  // for an event is freed on the bot's thread when it reuses the cell
  // (see bounded_queue::try_pop_copy).
  while (result.popped < max && core->queue.try_pop_copy(event)) {
    ++result.popped;
    auto to_tracker = [&](auto& e, auto& into) {
      if (available.tracker)
        into.push_back(std::move(e));
      else
        ++result.unrouted;
    };
    auto to_ml = [&](auto& e, auto& into) {
      if (available.ml)
        into.push_back(std::move(e));
      else
        ++result.unrouted;
    };
    std::visit(
      overload{
        [&](ensemble_recorded& e) {
          to_tracker(e, t.ensembles);
        },
        [&](regime_recorded& e) {
          to_tracker(e, t.regimes);
        },
        [&](decision_step_recorded& e) {
          to_tracker(e, t.decisions);
        },
        [&](model_behavior_recorded& e) {
          to_tracker(e, t.behaviors);
        },
        [&](request_started& e) {
          if (available.correlations)
            result.requests.started.push_back(std::move(e));
          else
            ++result.unrouted;
        },
        [&](request_finished& e) {
          if (available.correlations)
            result.requests.finished.push_back(std::move(e));
          else
            ++result.unrouted;
        },
        [&](span_recorded& e) {
          if (available.tracer)
            result.spans.spans.push_back(std::move(e));
          else
            ++result.unrouted;
        },
        [&](metric_sampled& e) {
          if (available.dashboard)
            result.metrics.samples.push_back(std::move(e));
          else
            ++result.unrouted;
        },
        [&](trade_executed& e) {
          // A fill's PnL is the outcome of the decision under its
          // correlation id; the tracker gets a copy.
          if (available.tracker && e.realized_pnl != 0)
            t.outcomes.push_back({make_header<ensemble_outcome>(e.hdr.corr),
                                  {},
                                  false,
                                  {},
                                  0.0,
                                  e.realized_pnl,
                                  e.time_ns});
          if (available.dashboard)
            result.metrics.trades.push_back(std::move(e));
          else
            ++result.unrouted;
        },
        [&](features_observed& e) {
          to_ml(e, result.ml.features);
        },
        [&](prediction_made& e) {
          to_ml(e, result.ml.predictions);
        },
        [&](label_observed& e) {
          // A label sent for an ensemble's id is its outcome.
          if (available.tracker)
            t.outcomes.push_back({make_header<ensemble_outcome>(e.hdr.corr),
                                  e.model.model_id, true, e.label, e.value, 0.0,
                                  e.time_ns});
          to_ml(e, result.ml.labels);
        },
        [&](feature_importance_reported& e) {
          to_ml(e, result.ml.importances);
        },
        [&](model_lifecycle_changed& e) {
          to_ml(e, result.ml.lifecycle);
        },
        [&](baseline_uploaded& e) {
          to_ml(e, result.ml.baselines);
        },
        // Components for the other events arrive with their issues;
        // until then such events are counted, not silently lost.
        [&](auto&) {
          ++result.unrouted;
        },
      },
      event);
  }
  popped += result.popped;
  return result;
}

dispatcher_actor::behavior_type
dispatcher(dispatcher_actor::stateful_pointer<dispatcher_state> self,
           std::shared_ptr<detail::ingress> core) {
  self->state.core = std::move(core);
  return {
    [=](atom::drain) {
      pump(self);
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      auto& st = self->state;
      auto rp = self->make_response_promise<flush_ack>();
      // Every event accepted before this flush has been pushed completely,
      // so it is counted in the queue's size right now.
      st.flushes.push_back({rp, hdr, st.popped + st.core->queue.size_approx()});
      pump(self);
      return rp;
    },
    [=](atom::route, tracker_actor& x) {
      self->state.tracker = std::move(x);
    },
    [=](atom::route, tracer_actor& x) {
      self->state.tracer = std::move(x);
    },
    [=](atom::route, correlation_manager_actor& x) {
      self->state.correlations = std::move(x);
    },
    [=](atom::route, supervisor_actor& x) {
      self->state.supervisor = std::move(x);
    },
    [=](atom::route, metrics_dashboard_actor& x) {
      self->state.dashboard = std::move(x);
    },
    [=](atom::route, ml_monitor_actor& x) {
      self->state.ml = std::move(x);
    },
  };
}

} // namespace argus::runtime
