#pragma once

// Every typed actor interface of the engine. Actors reach each other only
// through these handles.

#include "messages/directory.hpp"
#include "messages/type_ids.hpp"

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>

namespace argus {

/// Every component answers status requests from the INTEGRATION MANAGER.
using status_client_actor = caf::typed_actor<
  // Reports the component's state and counters.
  caf::replies_to<atom::status, message_header>::with<component_status>>;

/// Components that buffer rows hand them to storage on a flush.
using flushable_actor = caf::typed_actor<
  // Hands every buffered row to the storage writer, then asks it to commit;
  // replies once committed.
  caf::replies_to<atom::flush, message_header>::with<flush_ack>>;

/// Components with work to finish before the engine's final flush (the
/// supervisor asks them, in reverse dependency order, before it flushes).
using stoppable_actor = caf::typed_actor<
  // Hands over what a plain flush leaves behind; replies once it is durable.
  caf::replies_to<atom::stop, message_header>::with<flush_ack>>;

/// Components that use others learn where those run now (from the
/// supervisor, whenever one of them starts or stops).
using routable_actor = caf::typed_actor<
  // Where the components it depends on run now.
  caf::reacts_to<atom::route, component_directory>>;

/// The STORAGE WRITER actor interface: the only writer of the SQLite file.
using storage_writer_actor = caf::typed_actor<
  // Buffers rows for the next batch commit; replies with the number of rows
  // taken (the rest were dropped and counted). The reply comes after any
  // commit the rows triggered, which paces the senders.
  caf::replies_to<persist_rows>::with<uint64_t>,
  // Periodic batch commit and retention step (self-sent; carries a
  // generation).
  caf::reacts_to<atom::tick, uint64_t>>::extend_with<flushable_actor>::
  extend_with<status_client_actor>;

/// The TRACKER actor interface (spec: Tracking System).
using tracker_actor = caf::typed_actor<
  // Records ensemble decisions, regimes, decision steps and model behaviour;
  // replies with the number of events taken once storage has their rows.
  caf::replies_to<tracking_batch>::with<uint64_t>,
  // A model's feature importances and drift scores (from the ML monitor).
  caf::reacts_to<feature_scores>,
  // Latest state, history and derived statistics of one kind.
  caf::replies_to<tracking_query>::with<tracking_view>,
  // Sends `regime_changed`s and `feature_rank_changed`s as they happen, and
  // each kind's `tracking_view` every update interval it changed in, to
  // `subscriber` until it terminates.
  caf::reacts_to<atom::subscribe, caf::actor>,
  // Publishes the view of one kind (self-sent every update interval of
  // the kind; carries the `tracking_view_kind`).
  caf::reacts_to<atom::tick, uint64_t>,
  // Where the components it depends on run now (from the supervisor).
  caf::reacts_to<atom::route, component_directory>>::
  extend_with<flushable_actor>::extend_with<status_client_actor>;

/// The CORRELATION MANAGER actor interface (spec: Correlation Manager).
using correlation_manager_actor = caf::typed_actor<
  // Request starts and ends; replies with the number taken once storage has
  // their rows.
  caf::replies_to<request_batch>::with<uint64_t>,
  // Which components a request touched (from the tracer).
  caf::reacts_to<component_touches>,
  // Times out open requests (self-sent; carries a generation).
  caf::reacts_to<atom::tick, uint64_t>,
  // Statistics over the requests held in memory.
  caf::replies_to<atom::stats>::with<correlation_statistics>,
  // Sends a `request_summary` to `subscriber` as each request finishes, and
  // again when later spans extend its path, until it terminates.
  caf::reacts_to<atom::subscribe, caf::actor>,
  // Where the components it depends on run now (from the supervisor).
  caf::reacts_to<atom::route, component_directory>>::
  extend_with<flushable_actor>::extend_with<status_client_actor>;

/// The TRACER actor interface (spec: Advanced Tracer).
using tracer_actor = caf::typed_actor<
  // Spans that arrived over the wire; replies with the number taken once
  // storage has the ones kept.
  caf::replies_to<span_batch>::with<uint64_t>,
  // Collects the threads' spans (self-sent; carries a generation).
  caf::reacts_to<atom::tick, uint64_t>,
  // The spans of one trace held in memory.
  caf::replies_to<atom::lookup, correlation_id>::with<trace_exported>,
  // Latency per component and operation over the last `window_ns`.
  caf::replies_to<atom::stats, int64_t>::with<operation_latencies>,
  // Where the components it depends on run now (from the supervisor).
  caf::reacts_to<atom::route, component_directory>>::
  extend_with<flushable_actor>::extend_with<status_client_actor>;

/// The SUPERVISOR actor interface (spec: Integration Manager).
using supervisor_actor = caf::typed_actor<
  // Reports every component's status.
  caf::replies_to<atom::status, message_header>::with<integration_status>,
  // Flushes every component in dependency order, storage last.
  caf::replies_to<atom::flush, message_header>::with<flush_ack>,
  // Flushes, then stops every component in reverse order; replies when done.
  caf::replies_to<atom::stop, message_header>::with<flush_ack>,
  // The running components (for the engine, adapters and tests).
  caf::replies_to<atom::lookup>::with<component_directory>,
  // Subscribes `listener` to the pushed events of component `id` now and
  // again after every restart (a replacement starts with no subscribers),
  // until the listener terminates. Replies false for an unknown id.
  caf::replies_to<atom::subscribe, std::string, caf::actor>::with<bool>,
  // Restarts a crashed component once its backoff has passed (self-sent).
  caf::reacts_to<atom::restart, std::string, uint64_t>>;

/// The METRICS DASHBOARD actor interface (spec: Metrics Dashboard).
using metrics_dashboard_actor = caf::typed_actor<
  // Samples and fills that arrived as events; replies with the number taken
  // once storage has the fills.
  caf::replies_to<metrics_batch>::with<uint64_t>,
  // Scrapes the series, rolls the windows and samples health (self-sent
  // every `update_interval`; carries a generation).
  caf::reacts_to<atom::tick, uint64_t>,
  // A view: dashboard, performance, health, Prometheus text or history.
  caf::replies_to<metrics_query>::with<metrics_view>,
  // Sends a dashboard view to `subscriber` every `update_interval` (while
  // `enable_real_time_updates` is on) until it terminates.
  caf::reacts_to<atom::subscribe, caf::actor>,
  // Where the components it depends on run now (from the supervisor).
  caf::reacts_to<atom::route, component_directory>>::
  // The final flush before the engine stops also persists the windows
  // still open (a plain flush persists closed windows only, so a bot that
  // flushes often does not rewrite every open window each time).
  extend_with<stoppable_actor>::extend_with<flushable_actor>::extend_with<
    status_client_actor>;

/// The ML MONITOR actor interface (spec: ML Monitor).
using ml_monitor_actor = caf::typed_actor<
  // Features, predictions, labels, importances and lifecycle events;
  // replies with the number taken.
  caf::replies_to<ml_batch>::with<uint64_t>,
  // Runs the drift, performance and importance checks (self-sent every
  // `drift_check_interval`; carries a generation).
  caf::reacts_to<atom::tick, uint64_t>,
  // Alerts, performance history, models.
  caf::replies_to<ml_query>::with<ml_view>,
  // Sends `drift_alert`s and `retrain_requested`s to `subscriber` until it
  // terminates.
  caf::reacts_to<atom::subscribe, caf::actor>,
  // Where the components it depends on run now (from the supervisor).
  caf::reacts_to<atom::route, component_directory>>::
  extend_with<flushable_actor>::extend_with<status_client_actor>;

/// The REPORT SCHEDULER actor interface (spec: Report Scheduler).
using report_scheduler_actor = caf::typed_actor<
  // Builds a report now (and e-mails it if asked); replies once the file is
  // written, before any delivery finishes.
  caf::replies_to<report_requested>::with<report_generated>,
  // Every report with its schedule and next run, as JSON.
  caf::replies_to<atom::lookup>::with<std::string>,
  // Adds or replaces a report at run time (name, definition as JSON) and
  // persists it; replies with its schedule entry as JSON.
  caf::replies_to<atom::put, std::string, std::string>::with<std::string>,
  // Runs what is due (self-sent; carries a generation).
  caf::reacts_to<atom::tick, uint64_t>,
  // A run's worker reports how it went (rendered, then delivered or not).
  caf::reacts_to<report_generated>,
  // Where the components it depends on run now (from the supervisor).
  caf::reacts_to<atom::route, component_directory>>::
  extend_with<flushable_actor>::extend_with<status_client_actor>;

/// The DISPATCHER actor interface: moves events from the client queue to the
/// components (an adapter in `runtime/`, not a component).
using dispatcher_actor = caf::typed_actor<
  // The client queue has events.
  caf::reacts_to<atom::drain>,
  // Drains the queue, then flushes the engine through the supervisor.
  caf::replies_to<atom::flush, message_header>::with<flush_ack>,
  // Where the components run now, the supervisor among them (sent by the
  // supervisor whenever a component starts or stops).
  caf::reacts_to<atom::route, component_directory>>;

// -- keys: each component's id and the handle it answers to -----------------

inline constexpr component_key<storage_writer_actor> storage_writer_key{
  "storage_writer"};
inline constexpr component_key<correlation_manager_actor>
  correlation_manager_key{"correlation_manager"};
inline constexpr component_key<tracer_actor> tracer_key{"tracer"};
inline constexpr component_key<tracker_actor> tracker_key{"tracker"};
inline constexpr component_key<ml_monitor_actor> ml_monitor_key{"ml_monitor"};
inline constexpr component_key<metrics_dashboard_actor> metrics_dashboard_key{
  "metrics_dashboard"};
inline constexpr component_key<report_scheduler_actor> report_scheduler_key{
  "report_scheduler"};
/// Not a component: the supervisor puts itself into the directory it sends,
/// for those who ask it for the engine's status.
inline constexpr component_key<supervisor_actor> supervisor_key{"supervisor"};

} // namespace argus
