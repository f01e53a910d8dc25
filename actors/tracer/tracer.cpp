#include "actors/tracer/tracer.hpp"

#include "actors/common/persist.hpp"
#include "actors/common/trace_tree.hpp"
#include "messages/time.hpp"
#include "storage/rows.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>

namespace argus {

namespace {

/// Spans collected per round at most, so one round never holds the tracer
/// for long (a few ms); the rest waits in the (bounded) buffers and the next
/// round follows at once.
constexpr size_t spans_per_round = 4096;

/// Persist requests on their way to storage at once.
constexpr uint32_t max_persists_in_flight = 2;

/// Kept rows the tracer holds while storage is busy; beyond, it stops
/// collecting and the spans wait in the threads' buffers (flow control).
constexpr size_t max_unsent_rows = 65536;

} // namespace

void tracer_state::init(config::tracer_config config,
                        std::shared_ptr<span_buffers> bufs, int64_t now_ns) {
  cfg = std::move(config);
  buffers = std::move(bufs);
  started_at_ns = now_ns;
}

keep_reason tracer_state::decide(span_status status, int64_t duration_ns,
                                 const trace_id& trace) const {
  if (cfg.enable_error_tracing && status == span_status::error)
    return keep_reason::error;
  auto slow = std::chrono::nanoseconds{cfg.slow_span_threshold}.count();
  if (duration_ns >= slow)
    return keep_reason::slow;
  return sampled(trace, cfg.trace_sampling_rate) ? keep_reason::sampled
                                                 : keep_reason::dropped;
}

keep_reason tracer_state::decide(const span_recorded& x) const {
  auto id = trace_id::from_hex(x.trace_id);
  return decide(x.status, x.end_ns - x.start_ns,
                id ? *id : trace_id_for(x.hdr.corr));
}

namespace {

std::string_view exception_type_in(const std::vector<attribute>& xs) {
  for (const auto& a : xs)
    if (a.key == exception_type_key && a.type == attribute_type::string)
      return a.text;
  return {};
}

/// The type of the exception a failed span recorded: from its `exception`
/// event (OpenTelemetry's convention), or an `exception.type` attribute as
/// some senders set on the span itself; "error" when neither says.
std::string_view error_type_of(const span_recorded& x) {
  for (const auto& e : x.events)
    if (e.name == exception_event_name)
      if (auto type = exception_type_in(e.attributes); !type.empty())
        return type;
  auto type = exception_type_in(x.attributes);
  return type.empty() ? "error" : type;
}

std::string_view error_type_of(const span_slot& x) {
  for (uint8_t i = 0; i < x.attr_count; ++i) {
    const auto& a = x.attrs[i];
    if (a.type == attribute_type::string
        && std::string_view{a.key, a.key_len} == exception_type_key)
      return {a.text, a.text_len};
  }
  return x.overflow ? error_type_of(*x.overflow) : "error";
}

} // namespace

void tracer_state::observe(const correlation_id& corr, component_type component,
                           std::string_view operation, int64_t start_ns,
                           int64_t end_ns, span_status status, uint64_t span,
                           uint64_t parent, std::string_view error_type,
                           std::string_view error_message) {
  ++received;
  auto failed = status == span_status::error;
  if (cfg.enable_performance_tracing)
    latency.record(component, operation, end_ns, end_ns - start_ns, failed);
  // Every span, sampled or not, tells the correlation manager where its
  // request went.
  if (correlations) {
    component_touch t{corr, component, start_ns, end_ns, failed,
                      span, parent,    {},       {}};
    if (failed) {
      t.error_type = error_type;
      t.error_message = error_message;
    }
    touches.push_back(std::move(t));
  }
}

namespace {

/// The row of a span still in its slot: the same row `storage::to_row`
/// makes of the converted span, without converting it.
db_row row_of(const span_slot& x, std::string_view operation,
              std::string_view message) {
  auto trace = x.trace.hex_array();
  auto span = x.span.hex_array();
  auto parent = x.parent.hex_array();
  std::string attributes;
  attributes.reserve(16 + x.attr_count * 64);
  attributes += '[';
  for (uint8_t i = 0; i < x.attr_count; ++i) {
    const auto& a = x.attrs[i];
    if (i > 0)
      attributes += ',';
    storage::append_attribute_json(
      attributes, {a.key, a.key_len}, a.type, {a.text, a.text_len},
      a.type == attribute_type::integer ? a.integer : 0,
      a.type == attribute_type::real ? a.real : 0.0,
      a.type == attribute_type::boolean && a.boolean);
  }
  // Inline attributes were set first; overflow ones came after them.
  if (x.overflow)
    for (const auto& a : x.overflow->attributes) {
      if (attributes.size() > 1)
        attributes += ',';
      storage::append_attribute_json(attributes, a.key, a.type, a.text,
                                     a.integer, a.real, a.boolean);
    }
  attributes += ']';
  const auto* extra = x.overflow;
  return storage::to_row(storage::span_row_view{
    x.corr,
    {trace.data(), trace.size()},
    {span.data(), span.size()},
    x.parent.valid() ? std::string_view{parent.data(), parent.size()}
                     : std::string_view{},
    x.component,
    operation,
    x.kind,
    x.status,
    message,
    x.start_ns,
    x.end_ns,
    std::move(attributes),
    extra && !extra->events.empty() ? storage::events_to_json(extra->events)
                                    : std::string{},
    extra && !extra->links.empty() ? storage::links_to_json(extra->links)
                                   : std::string{}});
}

} // namespace

std::optional<db_row> tracer_state::take(span_recorded x) {
  if (auto defect = admit(x)) {
    ++rejected[*defect];
    return std::nullopt;
  }
  auto failed = x.status == span_status::error;
  observe(x.hdr.corr, x.component, x.operation, x.start_ns, x.end_ns, x.status,
          span_key(x.span_id), span_key(x.parent_span_id),
          failed ? error_type_of(x) : std::string_view{}, x.status_message);
  if (!count(decide(x)))
    return std::nullopt;
  auto row = storage::to_row(x);
  auto corr = x.hdr.corr;
  hold(corr, held_span{x});
  return row;
}

std::optional<db_row> tracer_state::take(span_slot& x) {
  std::string_view operation{x.operation, x.operation_len};
  std::string_view message{x.message, x.message_len};
  if (x.overflow) {
    if (operation.empty())
      operation = x.overflow->operation;
    if (message.empty())
      message = x.overflow->status_message;
  }
  auto failed = x.status == span_status::error;
  observe(x.corr, x.component, operation, x.start_ns, x.end_ns, x.status,
          span_key(x.span), x.parent.valid() ? span_key(x.parent) : 0,
          failed ? error_type_of(x) : std::string_view{}, message);
  if (!count(decide(x.status, x.end_ns - x.start_ns, x.trace))) {
    delete x.overflow;
    x.overflow = nullptr;
    return std::nullopt;
  }
  auto row = row_of(x, operation, message);
  hold(x.corr, held_span{x});
  x.overflow = nullptr; // owned by the held span now
  return row;
}

bool tracer_state::count(keep_reason reason) {
  switch (reason) {
    case keep_reason::sampled:
      ++kept_sampled;
      return true;
    case keep_reason::error:
      ++kept_error;
      return true;
    case keep_reason::slow:
      ++kept_slow;
      return true;
    case keep_reason::dropped:
      break;
  }
  ++not_sampled;
  return false;
}

void tracer_state::hold(const correlation_id& corr, held_span x) {
  auto [it, added] = traces.try_emplace(corr);
  if (added) {
    order.push_back(corr);
    while (traces.size() > cfg.max_trace_history) {
      if (auto oldest = traces.find(order.front()); oldest != traces.end()) {
        for (const auto& span : oldest->second)
          held_bytes -= span.heap_bytes();
        traces.erase(oldest);
      }
      order.pop_front();
      ++evicted_traces;
    }
    it = traces.find(corr);
  }
  if (it == traces.end())
    return;
  if (it->second.size() < cfg.max_spans_per_trace) {
    held_bytes += x.heap_bytes();
    it->second.push_back(std::move(x));
  } else
    ++spans_over_trace_limit;
}

size_t tracer_state::collect(size_t max, std::vector<db_row>& rows) {
  if (!buffers)
    return 0;
  return buffers->drain(max, [&](span_slot& slot) {
    if (auto row = take(slot))
      rows.push_back(std::move(*row));
  });
}

operation_latencies tracer_state::latencies(int64_t now_ns,
                                            int64_t window_ns) const {
  operation_latencies result;
  result.window_ns = window_ns;
  result.operations = latency.summarize(now_ns, window_ns);
  return result;
}

std::vector<span_recorded>
tracer_state::trace(const correlation_id& corr) const {
  auto it = traces.find(corr);
  if (it == traces.end())
    return {};
  std::vector<span_recorded> result;
  result.reserve(it->second.size());
  for (const auto& x : it->second)
    result.push_back(x.get());
  std::stable_sort(result.begin(), result.end(),
                   [](const span_recorded& a, const span_recorded& b) {
                     return a.start_ns < b.start_ns;
                   });
  return result;
}

component_status tracer_state::status(const message_header& hdr) const {
  auto result
    = make_status(hdr, name, component_state::running, started_at_ns,
                  {
                    {"received", received},
                    {"kept_sampled", kept_sampled},
                    {"kept_error", kept_error},
                    {"kept_slow", kept_slow},
                    {"not_sampled", not_sampled},
                    {"traces_in_memory", traces.size()},
                    {"held_span_bytes", held_bytes},
                    {"evicted_traces", evicted_traces},
                    {"spans_over_trace_limit", spans_over_trace_limit},
                    {"dropped_buffer_full", buffers ? buffers->dropped() : 0},
                    {"recorded_by_threads", buffers ? buffers->pushed() : 0},
                    {"operations_tracked", latency.operations()},
                    {"operations_untracked_spans", latency.untracked()},
                  });
  for (const auto& [defect, n] : rejected)
    result.counters[std::string{"rejected_"} + to_string(defect)] = n;
  return result;
}

namespace {

using self_ptr = tracer_actor::stateful_pointer<tracer_state>;

/// Sends kept rows to storage; `done` runs once storage has them (or
/// failed).
void persist(self_ptr self, std::vector<db_row> rows,
             std::function<void(caf::expected<uint64_t>)> done) {
  auto& st = self->state;
  if (rows.empty()) {
    done(uint64_t{0});
    return;
  }
  self
    ->request(st.storage, storage_timeout,
              persist_rows{message_header{}, std::move(rows)})
    .then(
      [done](uint64_t taken) {
        done(taken);
      },
      [self, done](caf::error& err) {
        if (self->state.log)
          self->state.log->warn("persist-failed error={}", describe(err));
        done(std::move(err));
      });
}

/// Hands the rows collected from the threads to storage, at most
/// `max_persists_in_flight` requests at a time: while the writer commits
/// one batch, the next already waits in its mailbox (double buffering), so
/// neither thread idles waiting for the other. When storage has taken one,
/// the rows gathered meanwhile follow.
void ship(self_ptr self) {
  auto& st = self->state;
  if (st.persists_in_flight >= max_persists_in_flight || st.unsent.empty())
    return;
  ++st.persists_in_flight;
  persist(self, std::move(st.unsent), [self](caf::expected<uint64_t>) {
    --self->state.persists_in_flight;
    ship(self);
  });
  st.unsent.clear();
}

/// Tells the correlation manager which components the requests touched.
void send_touches(self_ptr self) {
  auto& st = self->state;
  if (st.touches.empty() || !st.correlations)
    return;
  self->send(st.correlations,
             component_touches{message_header{}, std::move(st.touches)});
  st.touches.clear();
}

} // namespace

tracer_actor::behavior_type
tracer(tracer_actor::stateful_pointer<tracer_state> self,
       config::tracer_config cfg, std::shared_ptr<span_buffers> buffers,
       storage_writer_actor storage, std::shared_ptr<spdlog::logger> log) {
  self->state.init(std::move(cfg), std::move(buffers), wall_clock_ns());
  self->state.storage = std::move(storage);
  self->state.log = std::move(log);
  self->delayed_send(self, self->state.cfg.drain_interval, atom::tick_v,
                     self->state.tick_generation);
  return {
    [=](span_batch& batch) -> caf::result<uint64_t> {
      uint64_t taken = batch.spans.size();
      std::vector<db_row> rows;
      for (auto& s : batch.spans)
        if (auto row = self->state.take(std::move(s)))
          rows.push_back(std::move(*row));
      send_touches(self);
      auto rp = self->make_response_promise<uint64_t>();
      persist(self, std::move(rows),
              [rp, taken](caf::expected<uint64_t> r) mutable {
                if (r)
                  rp.deliver(taken);
                else
                  rp.deliver(r.error());
              });
      return rp;
    },
    [=](atom::tick, uint64_t generation) {
      auto& st = self->state;
      if (generation != st.tick_generation)
        return;
      // While storage is behind, spans wait in the bounded thread buffers:
      // that is the tracer's flow control.
      size_t drained = 0;
      if (st.unsent.size() < max_unsent_rows)
        drained = st.collect(spans_per_round, st.unsent);
      ship(self);
      send_touches(self);
      // Exactly one tick is ever pending: at once while the buffers have
      // more, else after the drain interval.
      if (drained == spans_per_round)
        self->send(self, atom::tick_v, generation);
      else
        self->delayed_send(self, st.cfg.drain_interval, atom::tick_v,
                           generation);
    },
    [=](atom::lookup, const correlation_id& corr) {
      return trace_exported{make_header<trace_exported>(corr),
                            self->state.trace(corr)};
    },
    [=](atom::stats, int64_t window_ns) {
      auto result = self->state.latencies(wall_clock_ns(), window_ns);
      result.hdr = make_header<operation_latencies>(correlation_id{});
      return result;
    },
    [=](atom::route, const component_directory& directory) {
      self->state.storage = directory.get(storage_writer_key);
      self->state.correlations = directory.get(correlation_manager_key);
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      // Take everything the threads recorded before the flush, then let
      // storage commit (it receives our rows before the flush: FIFO).
      auto& st = self->state;
      auto rows = std::move(st.unsent);
      st.unsent.clear();
      while (st.collect(spans_per_round, rows) > 0) {
      }
      send_touches(self);
      send_rows(self, st.storage, std::move(rows));
      return self->delegate(st.storage, atom::flush_v, hdr);
    },
    [=](atom::status, const message_header& hdr) {
      return status_with_mailbox(self, hdr);
    },
  };
}

} // namespace argus
