#include "runtime/client.hpp"

#include "messages/time.hpp"
#include "messages/type_ids.hpp"
#include "runtime/privacy/redactor.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <chrono>
#include <type_traits>

namespace argus::runtime {

namespace {

template <class T, class = void>
struct has_time_ns : std::false_type {};

template <class T>
struct has_time_ns<T, std::void_t<decltype(std::declval<T&>().time_ns)>>
    : std::true_type {};

} // namespace

client::offer_result client::offer_within(inbound_event& event,
                                          size_t limit) noexcept {
  auto& core = *core_;
  if (!core.accepting.load(std::memory_order_acquire))
    return offer_result::not_running;
  if (limit < core.queue.capacity() && core.queue.size_approx() >= limit)
    return offer_result::queue_full;
  std::visit(
    [&](auto& e) {
      using type = std::decay_t<decltype(e)>;
      if (e.hdr.corr.empty())
        e.hdr.corr = core.ids.next();
      e.hdr.version = type::version;
      if constexpr (has_time_ns<type>::value)
        if (e.time_ns == 0)
          e.time_ns = wall_clock_ns();
    },
    event);
  if (!core.queue.try_push(event))
    return offer_result::queue_full;
  core.offered.fetch_add(1, std::memory_order_relaxed);
  core.accepted.fetch_add(1, std::memory_order_relaxed);
  // One wake-up per batch: only the producer that flips the flag sends.
  if (!core.drain_scheduled.exchange(true, std::memory_order_acq_rel)) {
    try {
      caf::anon_send(core.dispatcher, atom::drain_v);
    } catch (...) {
      // Allocation failure while sending: the event is queued and the next
      // publish or flush drains it.
      core.drain_scheduled.store(false, std::memory_order_release);
    }
  }
  return offer_result::accepted;
}

bool client::publish(inbound_event event) noexcept {
  auto& core = *core_;
  switch (offer_within(event, core.queue.capacity())) {
    case offer_result::accepted:
      return true;
    case offer_result::queue_full:
      core.offered.fetch_add(1, std::memory_order_relaxed);
      core.dropped_queue_full.fetch_add(1, std::memory_order_relaxed);
      return false;
    case offer_result::not_running:
      core.offered.fetch_add(1, std::memory_order_relaxed);
      core.dropped_not_running.fetch_add(1, std::memory_order_relaxed);
      return false;
  }
  return false;
}

scoped_span client::span(component_type component, std::string_view operation,
                         const correlation_id& corr, span_kind kind) noexcept {
  auto& core = *core_;
  if (!core.spans || !core.accepting.load(std::memory_order_acquire))
    return {};
  return scoped_span{*core.spans, component, operation, corr, kind};
}

scoped_span client::span(component_type component, std::string_view operation,
                         const correlation_id& corr,
                         const trace_context& parent, span_kind kind) noexcept {
  auto& core = *core_;
  if (!core.spans || !core.accepting.load(std::memory_order_acquire))
    return {};
  return scoped_span{*core.spans, component, operation, corr, parent, kind};
}

request_scope::request_scope(client& c, correlation_id corr,
                             std::string_view operation)
    : client_(&c),
      corr_(std::move(corr)),
      uncaught_at_start_(std::uncaught_exceptions()) {
  request_started x;
  x.hdr.corr = corr_;
  try {
    x.operation = std::string{operation};
  } catch (...) {
  }
  client_->record(std::move(x));
}

request_scope::request_scope(request_scope&& other) noexcept
    : client_(other.client_),
      corr_(other.corr_),
      failed_(other.failed_),
      uncaught_at_start_(other.uncaught_at_start_),
      error_type_(std::move(other.error_type_)),
      error_message_(std::move(other.error_message_)) {
  other.client_ = nullptr;
}

request_scope::~request_scope() {
  // More exceptions in flight than when the request started: one is
  // leaving its scope. (A request started inside a destructor that runs
  // during unwinding is not failed by that unwinding.)
  if (client_ && !failed_ && std::uncaught_exceptions() > uncaught_at_start_)
    fail("exception", "an exception left the request's scope");
  end();
}

void request_scope::fail(std::string_view type,
                         std::string_view message) noexcept {
  failed_ = true;
  try {
    error_type_ = std::string{type};
    error_message_ = std::string{message};
  } catch (...) {
  }
}

void request_scope::end() noexcept {
  if (!client_)
    return;
  request_finished x;
  x.hdr.corr = corr_;
  x.success = !failed_;
  x.error_type = std::move(error_type_);
  x.error_message = std::move(error_message_);
  client_->record(std::move(x));
  client_ = nullptr;
}

metric_labels client::private_labels(metric_labels labels) const {
  if (core_->privacy)
    core_->privacy->apply(labels);
  return labels;
}

std::map<std::string, uint64_t> client::counter_map() const {
  auto c = counters();
  return {
    {"client_offered", c.offered},
    {"client_accepted", c.accepted},
    {"client_dropped_queue_full", c.dropped_queue_full},
    {"client_dropped_not_running", c.dropped_not_running},
    {"client_queued", c.queued},
    {"client_abandoned_at_stop", c.abandoned_at_stop},
    {"client_metric_records_after_stop", c.metric_records_after_stop},
    {"dispatched", c.dispatched},
    {"failed_delivery", c.failed_delivery},
    {"unrouted", c.unrouted},
  };
}

client_counters client::counters() const noexcept {
  const auto& core = *core_;
  client_counters result;
  result.offered = core.offered.load(std::memory_order_relaxed);
  result.accepted = core.accepted.load(std::memory_order_relaxed);
  result.dropped_queue_full
    = core.dropped_queue_full.load(std::memory_order_relaxed);
  result.dropped_not_running
    = core.dropped_not_running.load(std::memory_order_relaxed);
  result.unrouted = core.unrouted.load(std::memory_order_relaxed);
  result.dispatched = core.dispatched.load(std::memory_order_relaxed);
  result.failed_delivery = core.failed_delivery.load(std::memory_order_relaxed);
  result.queued = core.queue.size_approx();
  result.abandoned_at_stop
    = core.abandoned_at_stop.load(std::memory_order_relaxed);
  result.metric_records_after_stop
    = core.metric_records_after_stop.load(std::memory_order_relaxed);
  return result;
}

} // namespace argus::runtime
