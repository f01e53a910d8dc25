#include "actors/registry.hpp"

#include "actors/correlation_manager/correlation_manager.hpp"
#include "actors/ml_monitor/ml_monitor.hpp"
#include "actors/report_scheduler/report_scheduler.hpp"
#include "actors/tracer/tracer.hpp"
#include "actors/tracker/tracker.hpp"
#include "storage/schema.hpp"

namespace argus {

namespace {

template <class... Fs>
struct overload : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overload(Fs...) -> overload<Fs...>;

bool tracker_enabled(const config::engine_config& cfg) {
  const auto& t = cfg.tracking_system;
  return t.enable_correlation_tracking || t.enable_ensemble_tracking
         || t.enable_regime_tracking || t.enable_decision_path_tracking;
}

component_spec storage_writer_component() {
  // On a thread of its own: a COMMIT blocks on the disk for tens of ms, and
  // on the shared pool that stalls the tracer draining the bot's span
  // buffers (notes/caf-0.17.md: blocking handlers starve the pool).
  return component(storage_writer_key,
                   [](const component_context& ctx) {
                     return ctx.spawn(
                       storage::storage_writer,
                       make_storage_writer_config(ctx.cfg.storage), ctx.log);
                   })
    .core()
    .dedicated_thread();
}

component_spec correlation_manager_component() {
  return component(correlation_manager_key,
                   [](const component_context& ctx) {
                     return ctx.spawn(
                       correlation_manager, ctx.cfg.correlation_manager,
                       ctx.directory.get(storage_writer_key), ctx.log);
                   })
    .depends_on(storage_writer_key)
    .enabled_if([](const config::engine_config& cfg) {
      return cfg.correlation_manager.enable_correlation_tracking;
    })
    .routes<request_batch>(event_types<request_started, request_finished>{},
                           event_types<>{},
                           overload{
                             [](request_batch& b, request_started& e) {
                               b.started.push_back(std::move(e));
                             },
                             [](request_batch& b, request_finished& e) {
                               b.finished.push_back(std::move(e));
                             },
                           });
}

component_spec tracer_component(std::shared_ptr<span_buffers> spans) {
  // On a thread of its own as well: the bot's span buffers hold a few ms of
  // spans at 1M spans/s, so their consumer must not wait behind other
  // actors for a pool thread. After the correlation manager, so that a
  // request is known there before the tracer reports what its spans touched.
  bool have_spans = static_cast<bool>(spans);
  return component(tracer_key,
                   [spans](const component_context& ctx) {
                     return ctx.spawn(tracer, ctx.cfg.advanced_tracer, spans,
                                      ctx.directory.get(storage_writer_key),
                                      ctx.log);
                   })
    .depends_on(storage_writer_key, correlation_manager_key)
    .dedicated_thread()
    .enabled_if([have_spans](const config::engine_config& cfg) {
      return cfg.advanced_tracer.enable_tracing && have_spans;
    })
    .routes<span_batch>(event_types<span_recorded>{}, event_types<>{},
                        [](span_batch& b, span_recorded& e) {
                          b.spans.push_back(std::move(e));
                        });
}

component_spec tracker_component() {
  return component(tracker_key,
                   [](const component_context& ctx) {
                     return ctx.spawn(tracker, ctx.cfg.tracking_system,
                                      ctx.directory.get(storage_writer_key),
                                      ctx.log);
                   })
    .depends_on(storage_writer_key)
    .enabled_if(tracker_enabled)
    .routes<tracking_batch>(
      event_types<ensemble_recorded, regime_recorded, decision_step_recorded,
                  model_behavior_recorded>{},
      event_types<trade_executed, label_observed>{},
      overload{
        [](tracking_batch& b, ensemble_recorded& e) {
          b.ensembles.push_back(std::move(e));
        },
        [](tracking_batch& b, regime_recorded& e) {
          b.regimes.push_back(std::move(e));
        },
        [](tracking_batch& b, decision_step_recorded& e) {
          b.decisions.push_back(std::move(e));
        },
        [](tracking_batch& b, model_behavior_recorded& e) {
          b.behaviors.push_back(std::move(e));
        },
        // A fill's PnL is the outcome of the decision under its
        // correlation id.
        [](tracking_batch& b, const trade_executed& e) {
          if (e.realized_pnl != 0)
            b.outcomes.push_back({make_header<ensemble_outcome>(e.hdr.corr),
                                  {},
                                  false,
                                  {},
                                  0.0,
                                  e.realized_pnl,
                                  e.time_ns});
        },
        // A label sent for an ensemble's id is its outcome.
        [](tracking_batch& b, const label_observed& e) {
          b.outcomes.push_back({make_header<ensemble_outcome>(e.hdr.corr),
                                e.model.model_id, true, e.label, e.value, 0.0,
                                e.time_ns});
        },
      });
}

component_spec ml_monitor_component() {
  return component(ml_monitor_key,
                   [](const component_context& ctx) {
                     return ctx.spawn(ml_monitor, ctx.cfg.ml_monitor,
                                      ctx.directory.get(storage_writer_key),
                                      ctx.log);
                   })
    // It hands the tracker each check's importances and drift scores.
    .depends_on(storage_writer_key, tracker_key)
    .routes<ml_batch>(event_types<features_observed, prediction_made,
                                  label_observed, feature_importance_reported,
                                  model_lifecycle_changed, baseline_uploaded>{},
                      event_types<>{},
                      overload{
                        [](ml_batch& b, features_observed& e) {
                          b.features.push_back(std::move(e));
                        },
                        [](ml_batch& b, prediction_made& e) {
                          b.predictions.push_back(std::move(e));
                        },
                        [](ml_batch& b, label_observed& e) {
                          b.labels.push_back(std::move(e));
                        },
                        [](ml_batch& b, feature_importance_reported& e) {
                          b.importances.push_back(std::move(e));
                        },
                        [](ml_batch& b, model_lifecycle_changed& e) {
                          b.lifecycle.push_back(std::move(e));
                        },
                        [](ml_batch& b, baseline_uploaded& e) {
                          b.baselines.push_back(std::move(e));
                        },
                      });
}

component_spec metrics_dashboard_component(metrics_dashboard_sources metrics) {
  bool have_registry = static_cast<bool>(metrics.registry);
  return component(metrics_dashboard_key,
                   [metrics](const component_context& ctx) {
                     auto sources = metrics;
                     // A replacement takes over its predecessor's totals.
                     sources.resume = ctx.restarts > 0;
                     return ctx.spawn(
                       metrics_dashboard, ctx.cfg.metrics_dashboard,
                       std::move(sources),
                       ctx.directory.get(storage_writer_key), ctx.log);
                   })
    .depends_on(storage_writer_key)
    .enabled_if([have_registry](const config::engine_config&) {
      return have_registry;
    })
    .routes<metrics_batch>(event_types<metric_sampled, trade_executed>{},
                           event_types<>{},
                           overload{
                             [](metrics_batch& b, metric_sampled& e) {
                               b.samples.push_back(std::move(e));
                             },
                             [](metrics_batch& b, trade_executed& e) {
                               b.trades.push_back(std::move(e));
                             },
                           });
}

component_spec report_scheduler_component_spec() {
  // Its runs have threads of their own; the scheduler itself reads the
  // database once as it starts, briefly, on the shared pool.
  return component(report_scheduler_key,
                   [](const component_context& ctx) {
                     return ctx.spawn(report_scheduler_component, ctx.cfg,
                                      ctx.directory.get(storage_writer_key),
                                      ctx.log);
                   })
    .depends_on(storage_writer_key);
}

} // namespace

storage::storage_writer_config
make_storage_writer_config(const config::storage_config& cfg) {
  storage::storage_writer_config result;
  result.db.path = cfg.path;
  result.db.synchronous_full = cfg.synchronous == config::sync_mode::full;
  result.db.busy_timeout = cfg.busy_timeout;
  result.db.max_size_bytes = cfg.max_size_mb * 1024 * 1024;
  result.batch_max_rows = cfg.batch_max_rows;
  result.batch_interval = cfg.batch_interval;
  result.max_pending_rows = cfg.max_pending_rows;
  result.retention_interval = cfg.retention_interval;
  result.retention_batch_rows = cfg.retention_batch_rows;
  for (const auto& [name, age] : cfg.retention)
    for (const auto& t : storage::all_tables())
      if (name == t.name)
        result.retention[t.id] = age;
  return result;
}

component_registry builtin_components(const engine_resources& resources) {
  component_registry result;
  // In the order they come up in when dependencies leave a choice.
  for (auto spec : {storage_writer_component(), correlation_manager_component(),
                    tracer_component(resources.spans), tracker_component(),
                    ml_monitor_component(),
                    metrics_dashboard_component(resources.metrics),
                    report_scheduler_component_spec()}) {
    auto err = result.add(std::move(spec));
    // Built-in ids are distinct: an error here is a programming error.
    static_cast<void>(err);
  }
  return result;
}

} // namespace argus
