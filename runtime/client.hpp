#pragma once

#include "actors/metrics_dashboard/series_registry.hpp"
#include "actors/tracer/span_buffers.hpp"
#include "messages/events.hpp"
#include "messages/interfaces.hpp"
#include "runtime/bounded_queue.hpp"
#include "runtime/correlation.hpp"
#include "runtime/span.hpp"

#include <caf/actor_control_block.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace argus::privacy {
class redactor;
} // namespace argus::privacy

namespace argus::runtime {

/// Counts of what the client saw: `offered = accepted + dropped_*`.
struct client_counters {
  uint64_t offered = 0;
  uint64_t accepted = 0;
  /// The queue was full (the engine falls behind).
  uint64_t dropped_queue_full = 0;
  /// The engine was not running (before start, after stop, disabled).
  uint64_t dropped_not_running = 0;
  /// Events no running component takes (counted by the dispatcher).
  uint64_t unrouted = 0;
  /// Events taken by components (counted by the dispatcher).
  uint64_t dispatched = 0;
  /// Events a component did not take because it crashed or timed out.
  uint64_t failed_delivery = 0;
  /// Events waiting in the queue.
  uint64_t queued = 0;
  /// Events accepted while the engine was stopping, found in the queue after
  /// the last drain (a producer raced `stop`). Logged, never silent.
  uint64_t abandoned_at_stop = 0;
  /// Samples recorded through metric handles after the engine stopped.
  uint64_t metric_records_after_stop = 0;
};

namespace detail {

/// What the client (any thread) and the dispatcher actor share: the bounded
/// queue, a wake-up flag and atomic counters.
struct ingress {
  explicit ingress(size_t capacity,
                   std::shared_ptr<span_buffers> span_bufs = nullptr,
                   size_t max_series_per_metric = 1000,
                   size_t door_queue_percent = 100)
      : queue(capacity),
        door_limit(std::max<size_t>(
          1,
          queue.capacity() * std::min<size_t>(door_queue_percent, 100) / 100)),
        spans(std::move(span_bufs)),
        metrics(max_series_per_metric) {
  }

  bounded_queue<inbound_event> queue;
  /// Events in the queue beyond which `offer` (a door that can wait) finds
  /// it full; `publish` (the bot) may fill it whole.
  size_t door_limit;
  /// The threads' span buffers (null: no tracing).
  std::shared_ptr<span_buffers> spans;
  /// The metric series the bot records into (read by the dashboard).
  metrics_registry metrics;
  correlation_source ids;
  /// Anonymises what the bot records before anything else sees it (set
  /// before `accepting` turns true; null: nothing configured).
  std::shared_ptr<const privacy::redactor> privacy;
  /// Set while a drain message is on its way to the dispatcher.
  std::atomic<bool> drain_scheduled{false};
  std::atomic<bool> accepting{false};
  /// Set once the engine has stopped: metric handles then record nothing
  /// (nobody reads the cells any more) and count it. Every handle reads it
  /// on every record: on a line of its own, which nothing writes while the
  /// engine runs (the counters around it are written on every publish).
  alignas(64) std::atomic<bool> closed{false};
  alignas(64) std::atomic<uint64_t> metric_records_after_stop{0};
  /// The dispatcher; set before `accepting` turns true.
  dispatcher_actor dispatcher;
  std::atomic<uint64_t> offered{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> dropped_queue_full{0};
  std::atomic<uint64_t> dropped_not_running{0};
  std::atomic<uint64_t> unrouted{0};
  std::atomic<uint64_t> dispatched{0};
  std::atomic<uint64_t> failed_delivery{0};
  std::atomic<uint64_t> abandoned_at_stop{0};
};

} // namespace detail

class client;

/// One request of the bot, from start to response (spec: `trace_request`):
/// tells the correlation manager when it started and when and how it ended.
/// Ends as failed if an exception leaves its scope or `fail()` was called,
/// as completed otherwise.
class request_scope {
public:
  request_scope() = default;
  request_scope(client& c, correlation_id corr, std::string_view operation);
  request_scope(request_scope&& other) noexcept;
  request_scope& operator=(request_scope&&) = delete;
  request_scope(const request_scope&) = delete;
  ~request_scope();

  /// Marks the request as failed.
  void fail(std::string_view type, std::string_view message) noexcept;

  /// Ends the request now.
  void end() noexcept;

  const correlation_id& corr() const noexcept {
    return corr_;
  }

private:
  client* client_ = nullptr;
  correlation_id corr_;
  bool failed_ = false;
  int uncaught_at_start_ = 0;
  std::string error_type_;
  std::string error_message_;
};

/// Pre-resolved handles on one metric series: resolve once with
/// `client.counter(...)` etc., then record from any thread for a few ns,
/// never blocking, never throwing. A handle whose series could not be made
/// (the name has another kind, or out of memory) records nothing. A handle
/// keeps its series' memory alive, so one that outlives its engine is
/// harmless: it records nothing and counts it
/// (`client_metric_records_after_stop`).
template <class Cell>
class metric_handle {
public:
  metric_handle() noexcept = default;

  metric_handle(Cell* cell, std::shared_ptr<detail::ingress> core) noexcept
      : cell_(cell), core_(cell ? std::move(core) : nullptr) {
  }

  bool valid() const noexcept {
    return cell_ != nullptr;
  }

protected:
  /// @returns the cell to record into, or nullptr (counting a record after
  ///          the engine stopped).
  Cell* target() const noexcept {
    if (!cell_)
      return nullptr;
    if (core_->closed.load(std::memory_order_relaxed)) {
      core_->metric_records_after_stop.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    return cell_;
  }

private:
  Cell* cell_ = nullptr;
  std::shared_ptr<detail::ingress> core_;
};

class counter_handle : public metric_handle<counter_cell> {
public:
  using metric_handle::metric_handle;
  void inc(uint64_t n = 1) noexcept {
    if (auto c = target())
      c->add(n);
  }
};

class gauge_handle : public metric_handle<gauge_cell> {
public:
  using metric_handle::metric_handle;
  void set(double x) noexcept {
    if (auto c = target())
      c->set(x);
  }
  void add(double x) noexcept {
    if (auto c = target())
      c->add(x);
  }
};

class histogram_handle : public metric_handle<histogram_cell> {
public:
  using metric_handle::metric_handle;
  void observe(double x) noexcept {
    if (auto c = target())
      c->observe(x);
  }
};

/// The bot's handle on the engine, safe to call from any thread. Calls never
/// block and never throw: when the engine cannot take an event it is dropped
/// and counted (see `counters()`), and the call returns false.
class client {
public:
  /// @returns the counters by name (`client_offered`, `dispatched`, ...).
  std::map<std::string, uint64_t> counter_map() const;

  explicit client(std::shared_ptr<detail::ingress> core)
      : core_(std::move(core)) {
  }

  /// Hands one event to the engine. An empty correlation id is replaced by a
  /// fresh one; the header's version is set to the event type's version.
  /// @returns whether the event was accepted (a full queue drops it and
  /// counts it).
  bool publish(inbound_event event) noexcept;

  /// What `offer` did with an event.
  enum class offer_result { accepted, queue_full, not_running };

  /// Like `publish`, for a caller that can wait (a reader of the wire): on a
  /// full queue `event` stays with the caller, nothing is counted, and the
  /// caller offers it again once there is room, instead of dropping it.
  /// Such a caller finds the queue full at its share (`door_limit`), so
  /// the rest stays for `publish`. Stamps the header as `publish` does, once.
  offer_result offer(inbound_event& event) noexcept {
    return offer_within(event, core_->door_limit);
  }

  /// Typed convenience for `publish`.
  template <class Event>
  bool record(Event event) noexcept {
    return publish(inbound_event{std::move(event)});
  }

  /// Spec: `TrackingSystem.record_ensemble_tracking`.
  bool record_ensemble_tracking(ensemble_recorded x) noexcept {
    return record(std::move(x));
  }

  /// Spec: `TrackingSystem.record_regime_tracking`.
  bool record_regime_tracking(regime_recorded x) noexcept {
    return record(std::move(x));
  }

  /// Spec: `TrackingSystem.record_model_behavior_tracking`.
  bool record_model_behavior_tracking(model_behavior_recorded x) noexcept {
    return record(std::move(x));
  }

  /// Starts a span of `corr`'s request; it is recorded when it ends. The
  /// parent is the thread's current span of the same request. Inactive
  /// (a no-op) while the engine is not running or tracing is off.
  scoped_span span(component_type component, std::string_view operation,
                   const correlation_id& corr,
                   span_kind kind = span_kind::internal) noexcept;

  /// Starts a span under a parent from another thread or process (e.g. a
  /// parsed `traceparent` header).
  scoped_span span(component_type component, std::string_view operation,
                   const correlation_id& corr, const trace_context& parent,
                   span_kind kind = span_kind::internal) noexcept;

  // -- metrics (resolve once, record often) ----------------------------------

  /// `auto h = client.counter("orders_total", {{"venue", "binance"}});
  /// h.inc();` Resolving locks and may allocate; keep the handle. Never
  /// throws: out of memory, the handle is invalid and records nothing.
  counter_handle counter(const std::string& name,
                         metric_labels labels = {}) noexcept {
    return resolve<counter_handle>(&metrics_registry::counter, name,
                                   std::move(labels));
  }
  gauge_handle gauge(const std::string& name,
                     metric_labels labels = {}) noexcept {
    return resolve<gauge_handle>(&metrics_registry::gauge, name,
                                 std::move(labels));
  }
  histogram_handle histogram(const std::string& name,
                             metric_labels labels = {}) noexcept {
    return resolve<histogram_handle>(&metrics_registry::histogram, name,
                                     std::move(labels));
  }

  /// One sample without a handle, for code off the hot path:
  /// `client.record("equity", 10250.0, {{"account", "main"}});` (a gauge by
  /// default). Looks the series up each time (a lock and a map lookup).
  /// @returns false, recording nothing, for a kind conflict, a non-finite
  /// value or a negative or fractional counter increment. Never throws.
  bool record(const std::string& name, double value, metric_labels labels = {},
              metric_kind kind = metric_kind::gauge) noexcept {
    try {
      return core_->metrics.record(name, kind, value,
                                   private_labels(std::move(labels)));
    } catch (...) {
      return false;
    }
  }

  /// The series recorded through handles (for the dashboard and tests).
  const metrics_registry& metrics() const noexcept {
    return core_->metrics;
  }

  /// Starts tracking a request (spec: `tracer.trace_request(cid)`).
  request_scope trace_request(const correlation_id& corr,
                              std::string_view operation = {}) noexcept {
    return request_scope{*this, corr, operation};
  }

  /// Runs `f(span)` inside a span of `component`/`operation`. An exception
  /// leaving `f` marks the span as failed with the exception's type and
  /// message (with error tracing on) and is rethrown.
  ///
  /// ```
  /// auto qty = client.traced(component_type::tactician, "order_sizing", cid,
  ///                          [&](auto& span) { return size_order(span); });
  /// ```
  template <class F>
  decltype(auto) traced(component_type component, std::string_view operation,
                        const correlation_id& corr, F&& f) {
    auto s = span(component, operation, corr);
    try {
      return std::forward<F>(f)(s);
    } catch (const std::exception& e) {
      s.record_exception(e);
      throw;
    }
  }

  /// Runs `f()` as one request (see `trace_request`); an exception leaving
  /// `f` fails the request with the exception's type and message and is
  /// rethrown.
  template <class F>
  decltype(auto) traced_request(const correlation_id& corr,
                                std::string_view operation, F&& f) {
    auto request = trace_request(corr, operation);
    try {
      return std::forward<F>(f)();
    } catch (const std::exception& e) {
      request.fail(exception_type_name(e), e.what());
      throw;
    }
  }

  /// One step of a decision path.
  bool record_decision_step(decision_step_recorded x) noexcept {
    return record(std::move(x));
  }

  /// @returns a fresh correlation id (32 lowercase hex digits).
  correlation_id new_correlation_id() noexcept {
    return core_->ids.next();
  }

  /// @returns a snapshot of the counters.
  client_counters counters() const noexcept;

private:
  /// Queues `event` unless `limit` events or more are waiting already.
  offer_result offer_within(inbound_event& event, size_t limit) noexcept;

  /// `labels` anonymised: a series is named by what may be stored.
  metric_labels private_labels(metric_labels labels) const;

  template <class Handle, class Cell>
  Handle resolve(Cell* (metrics_registry::*lookup)(const std::string&,
                                                   metric_labels),
                 const std::string& name, metric_labels labels) noexcept {
    try {
      return Handle{
        (core_->metrics.*lookup)(name, private_labels(std::move(labels))),
        core_};
    } catch (...) {
      return Handle{};
    }
  }

  std::shared_ptr<detail::ingress> core_;
};

} // namespace argus::runtime
