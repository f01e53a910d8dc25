#pragma once

#include "actors/common/component_registry.hpp"
#include "actors/metrics_dashboard/published_view.hpp"
#include "config/components.hpp"
#include "messages/interfaces.hpp"
#include "runtime/client.hpp"
#include "runtime/gateway/routes.hpp"
#include "runtime/logging.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace argus::gateway {
class gateway;
} // namespace argus::gateway

namespace argus {

/// Options for embedding that are not part of the YAML tree.
struct engine_options {
  /// Extra log sinks (e.g. a ring buffer in tests); empty: standard error.
  std::vector<spdlog::sink_ptr> log_sinks;
  /// Overrides `runtime.log_level` when set.
  std::optional<std::string> log_level;
  /// Components beside the built-in ones, spawned, supervised and routed to
  /// like them.
  std::vector<component_spec> components;
  /// Routes the gateway serves beside the API's (argusd adds the one
  /// `argusctl --server` asks).
  std::vector<gateway::route> routes;
};

/// The monitoring engine, embedded in the bot's process: an actor system, the
/// supervisor and its components, and a client facade for the bot's threads.
///
/// ```
/// argus::engine eng{cfg};
/// if (auto err = eng.start()) ...;
/// eng.client().record_regime_tracking(...);   // any thread, never blocks
/// eng.flush();                                // everything so far is durable
/// eng.stop();                                 // flush, stop, join
/// ```
class engine {
public:
  explicit engine(config::engine_config cfg, engine_options opts = {});

  /// Stops the engine if it still runs.
  ~engine();

  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  /// Validates the config, opens (and migrates) the database, and spawns the
  /// components. @returns an error naming what is wrong, or none.
  caf::error start();

  /// Makes everything accepted so far durable. @returns the storage writer's
  /// ack, or an error (storage failing, a component crashed since the last
  /// flush, timeout).
  caf::expected<flush_ack> flush(std::chrono::milliseconds timeout
                                 = std::chrono::seconds{30});

  /// @returns every component's state plus the client's counters.
  caf::expected<integration_status> status(std::chrono::milliseconds timeout
                                           = std::chrono::seconds{10});

  /// @returns latency per component and operation over the last `window`,
  ///          from every span (sampled or not); the tracer's live view.
  caf::expected<argus::operation_latencies>
  operation_latencies(std::chrono::nanoseconds window,
                      std::chrono::milliseconds timeout
                      = std::chrono::seconds{10});

  /// @returns the correlation manager's statistics: requests by status,
  ///          latency per component path, where the time goes, errors.
  caf::expected<argus::correlation_statistics>
  correlation_statistics(std::chrono::milliseconds timeout
                         = std::chrono::seconds{10});

  /// @returns a view of the metrics dashboard: the spec's unified
  ///          dashboard data, trading performance, system health (JSON in
  ///          `body`), the Prometheus text, or a metric's history (`points`,
  ///          reaching into the database beyond memory).
  caf::expected<metrics_view> metrics(metrics_query query,
                                      std::chrono::milliseconds timeout
                                      = std::chrono::seconds{10});

  /// The unified dashboard's JSON text, shared: the text the dashboard
  /// published while it is current (no round trip to the actor; what
  /// asking would answer), else asked for.
  caf::expected<std::shared_ptr<const std::string>>
  dashboard_text(std::chrono::milliseconds timeout = std::chrono::seconds{10});

  /// Spec: `MetricsDashboard.get_dashboard_data()` (JSON text).
  caf::expected<std::string> dashboard_data() {
    return view_body(metrics_view_kind::dashboard);
  }
  caf::expected<std::string> performance_data() {
    return view_body(metrics_view_kind::performance);
  }
  caf::expected<std::string> system_health() {
    return view_body(metrics_view_kind::health);
  }
  caf::expected<std::string> prometheus_text() {
    return view_body(metrics_view_kind::prometheus);
  }

  /// @returns the points of `metric` in `window` of the series carrying
  ///          `labels`, starting in [from, to] (to = 0: now).
  caf::expected<std::vector<metric_point>>
  history(const std::string& metric, const std::string& window,
          metric_labels labels = {}, int64_t from_ns = 0, int64_t to_ns = 0);

  /// Calls `f` with the dashboard view every `update_interval` (while
  /// `enable_real_time_updates` is on), on an actor's thread, until the
  /// engine stops. `f` must not block.
  caf::error on_metrics_snapshot(std::function<void(const metrics_view&)> f);

  /// @returns a view of the ML monitor: alerts, performance history or
  ///          models (JSON in `body`, alerts typed too).
  caf::expected<ml_view> ml(ml_query query, std::chrono::milliseconds timeout
                                            = std::chrono::seconds{10});

  /// Spec: `MLMonitor.get_drift_alerts(severity)`: the alerts at or above
  /// `min_level`, newest first.
  caf::expected<std::vector<drift_alert>>
  get_drift_alerts(severity min_level = severity::low, size_t limit = 100);

  /// Spec: `MLMonitor.get_model_performance_history(model, limit)` (JSON).
  caf::expected<std::string>
  get_model_performance_history(const std::string& model_id,
                                size_t limit = 100);

  /// Calls `on_alert` for every drift alert that fires, escalates or
  /// resolves, and `on_retrain` for every retraining request, on an
  /// actor's thread, until the engine stops. They must not block.
  caf::error
  on_ml_events(std::function<void(const drift_alert&)> on_alert,
               std::function<void(const retrain_requested&)> on_retrain);

  /// @returns a view of the tracker (spec: `/api/tracking/{ensembles,
  ///          regimes,features,decisions}`): latest state, history over the
  ///          query's range and derived statistics, as JSON in `body`.
  ///          One decision path comes with the number of spans of its
  ///          trace the tracer holds (`trace.spans`).
  caf::expected<tracking_view> tracking(tracking_query query,
                                        std::chrono::milliseconds timeout
                                        = std::chrono::seconds{10});

  /// Calls `on_regime` for every regime transition and `on_rank` for every
  /// change in a model's feature ranking as they happen, and `on_view` with
  /// each kind's view every update interval in which it changed, on an
  /// actor's thread, until the engine stops. They must not block; any may
  /// be empty.
  caf::error
  on_tracking_events(std::function<void(const regime_changed&)> on_regime,
                     std::function<void(const feature_rank_changed&)> on_rank,
                     std::function<void(const tracking_view&)> on_view = {});

  /// @returns the spans of `corr` the tracer holds in memory.
  caf::expected<trace_exported> trace(const correlation_id& corr,
                                      std::chrono::milliseconds timeout
                                      = std::chrono::seconds{10});

  /// Builds a report now (and e-mails it when `req.send`); returns once its
  /// file is written (a delivery goes on; `report_history` shows how it
  /// ended). Unset range: the last 24 hours.
  caf::expected<report_generated>
  generate_report(report_requested req, std::chrono::milliseconds timeout
                                        = std::chrono::seconds{120});

  /// @returns every report with its schedule and next run (JSON array).
  caf::expected<std::string>
  report_schedule(std::chrono::milliseconds timeout = std::chrono::seconds{10});

  /// Spec: `ReportScheduler.add_report_config(name, config)`: adds or
  /// replaces a report at run time, persisted so that it survives a
  /// restart. `definition` is JSON with the fields of a configured report
  /// (`type`, `schedule`, `at`, `weekday`, `day_of_month`, `time_zone`,
  /// `format`, `recipients`, `enabled`). @returns its schedule entry.
  caf::expected<std::string>
  add_report_config(const std::string& name, const std::string& definition,
                    std::chrono::milliseconds timeout = std::chrono::seconds{10});
  caf::expected<std::string>
  add_report_config(const std::string& name,
                    const config::report_definition& definition);

  /// Flushes, stops every component in reverse dependency order, and waits
  /// for the actors to finish. Idempotent. @returns the flush's error, if
  /// any.
  caf::error stop();

  /// Blocks until the engine stops by itself (a fatal component crash) or
  /// `timeout` passes. @returns the reason if it stopped.
  std::optional<caf::error>
  wait_for_termination(std::chrono::milliseconds timeout);

  /// @returns the facade for the bot's threads (valid for the engine's life).
  runtime::client& client() {
    return client_;
  }

  /// @returns whether `start` succeeded and the engine has not stopped.
  bool running() const;

  const config::engine_config& config() const {
    return cfg_;
  }

  /// @returns the logger hub (components' named loggers).
  runtime::log_hub& logs() {
    return *logs_;
  }

  /// @returns the supervisor (for adapters and tests); invalid before start.
  supervisor_actor supervisor() const {
    return supervisor_;
  }

  caf::actor_system& system() {
    return *system_;
  }

  /// @returns the HTTP gateway (`gateway.enabled`), or nullptr.
  gateway::gateway* http_gateway() noexcept {
    return gateway_.get();
  }

private:
  void on_supervisor_down(const caf::error& reason);

  /// Stops the engine and destroys its actor system.
  void shut_down();

  /// At exit: shuts down every engine still alive.
  static void shut_down_at_exit();

  caf::expected<std::string> view_body(metrics_view_kind kind);

  /// @returns the handle of the running component `key` names, or why not.
  template <class Handle>
  caf::expected<Handle> find(component_key<Handle> key,
                             std::chrono::milliseconds timeout);

  /// Drops the directory `find` keeps, so the next one asks the supervisor.
  void forget_directory();
  /// Asks the supervisor which components run now (and caches it).
  caf::expected<component_directory>
  lookup_directory(std::chrono::milliseconds timeout);

  /// Subscribes `listener` to the pushed events of component `id`, now
  /// and after every restart of it (the supervisor keeps the subscription).
  caf::error subscribe(std::string_view id, const caf::actor& listener,
                       std::chrono::milliseconds timeout);

  /// Spawns a listener with `bhvr` and subscribes it to component `key`.
  template <class Handle>
  caf::error subscribe_listener(component_key<Handle> key, caf::behavior bhvr);

  /// Asks the running component `key` names and waits for its `Result`.
  template <class Result, class Handle, class... Ts>
  caf::expected<Result> ask(component_key<Handle> key,
                            std::chrono::milliseconds timeout, Ts&&... xs);

  config::engine_config cfg_;
  engine_options opts_;
  std::shared_ptr<runtime::log_hub> logs_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<runtime::detail::ingress> ingress_;
  runtime::client client_;
  std::unique_ptr<caf::actor_system_config> system_cfg_;
  std::unique_ptr<caf::actor_system> system_;
  supervisor_actor supervisor_;
  dispatcher_actor dispatcher_;
  /// Actors calling `on_metrics_snapshot` callbacks; stopped with the engine.
  std::vector<caf::actor> snapshot_listeners_;

  // Termination, shared with the supervisor's attached functor.
  struct termination {
    std::mutex mtx;
    std::condition_variable cv;
    bool done = false;
    caf::error reason;
  };
  std::shared_ptr<termination> termination_;
  /// Where the components ran at the last lookup (`find`).
  struct directory_cache {
    std::mutex mtx;
    std::optional<component_directory> known;
  };
  /// The dashboard's unified view, as it publishes it.
  std::shared_ptr<published_view> dashboard_view_
    = std::make_shared<published_view>();
  std::unique_ptr<directory_cache> directory_
    = std::make_unique<directory_cache>();
  // Read by `running()` from any thread.
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  /// Started last, stopped first: no request reaches a stopping engine.
  std::unique_ptr<gateway::gateway> gateway_;

  /// Every `update_interval` until `stop`: publishes the status to `/ws`'s
  /// `status` topic, and the live topics' counters to /metrics.
  void publish_live();
  /// Renders what the components push (finished requests, alerts,
  /// tracking changes, the dashboard's snapshots) into the live topics.
  caf::actor live_listener_;
  std::thread publisher_;
  std::mutex publisher_mtx_;
  std::condition_variable publisher_cv_;
  bool publisher_stop_ = false;
};

} // namespace argus
