#pragma once

#include "actors/tracer/held_span.hpp"
#include "actors/tracer/latency.hpp"
#include "actors/tracer/span_buffers.hpp"
#include "config/components.hpp"
#include "messages/admission.hpp"
#include "messages/interfaces.hpp"

#include <spdlog/logger.h>

#include <deque>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace argus {

/// Why the tracer kept (persisted) a span.
enum class keep_reason : uint8_t { sampled, error, slow, dropped };

/// State of the TRACER (spec: Advanced Tracer). Takes finished spans from the
/// bot threads' buffers and from the wire, decides what to keep (head
/// sampling from the trace id, plus every error and every slow span), keeps
/// the last `max_trace_history` traces in memory and turns kept spans into
/// rows.
struct tracer_state {
  static inline const char* name = "tracer";

  void init(config::tracer_config config, std::shared_ptr<span_buffers> bufs,
            int64_t now_ns);

  /// Decides about one span. @returns why it is kept, or `dropped`.
  keep_reason decide(const span_recorded& x) const;

  /// Decides from what the decision depends on: status, duration and the
  /// trace's id (sampling is per trace, so all its spans agree).
  keep_reason decide(span_status status, int64_t duration_ns,
                     const trace_id& trace) const;

  /// Takes one span: counts it, keeps it in memory and, when kept, returns
  /// its row.
  std::optional<db_row> take(span_recorded x);

  /// Takes one span from a thread's buffer and ownership of its overflow.
  /// Builds the row straight from the slot and holds the slot itself in
  /// memory: a kept span is never converted to a `span_recorded` (that
  /// happens only when its trace is looked up), and one sampled out costs
  /// no allocation.
  std::optional<db_row> take(span_slot& x);

  /// @returns latency per component and operation over the last
  ///          `window_ns`, from every span taken.
  operation_latencies latencies(int64_t now_ns, int64_t window_ns) const;

  /// Takes at most `max` spans from the threads' buffers and appends the
  /// rows of those kept to `rows`. @returns the number taken.
  size_t collect(size_t max, std::vector<db_row>& rows);

  /// @returns the spans of `corr` held in memory, by start time.
  std::vector<span_recorded> trace(const correlation_id& corr) const;

  component_status status(const message_header& hdr) const;

  config::tracer_config cfg;
  std::shared_ptr<span_buffers> buffers;
  /// Latency of every span taken (enable_performance_tracing).
  latency_book latency;
  std::unordered_map<correlation_id, std::vector<held_span>> traces;
  /// Insertion order of `traces`, for evicting the oldest.
  std::deque<correlation_id> order;
  int64_t started_at_ns = 0;
  uint64_t received = 0;
  uint64_t kept_sampled = 0;
  uint64_t kept_error = 0;
  uint64_t kept_slow = 0;
  uint64_t not_sampled = 0;
  /// Spans refused as unfit to store, by defect (the wire refuses them at
  /// the door already; these came another way).
  std::map<span_defect, uint64_t> rejected;
  /// Heap bytes of the spans held in `traces` (their encodings).
  uint64_t held_bytes = 0;
  uint64_t evicted_traces = 0;
  uint64_t spans_over_trace_limit = 0;
  /// Footprints of the spans taken since the last round, for the
  /// correlation manager's component paths.
  std::vector<component_touch> touches;
  correlation_manager_actor correlations;

private:
  /// Counts one span and notes its footprint and latency.
  void observe(const correlation_id& corr, component_type component,
               std::string_view operation, int64_t start_ns, int64_t end_ns,
               span_status status, uint64_t span, uint64_t parent,
               std::string_view error_type, std::string_view error_message);

  /// Counts `reason`; @returns false when not kept.
  bool count(keep_reason reason);

  /// Holds `x` in memory as part of its trace (within the bounds).
  void hold(const correlation_id& corr, held_span x);

public:
  /// Persist requests on their way to storage.
  uint32_t persists_in_flight = 0;
  /// Kept rows collected from the threads, waiting for storage.
  std::vector<db_row> unsent;
  uint64_t tick_generation = 0;
  storage_writer_actor storage;
  std::shared_ptr<spdlog::logger> log;
};

/// Spawns the tracer; it collects spans from `buffers` every
/// `drain_interval` and sends kept spans to `storage`.
tracer_actor::behavior_type
tracer(tracer_actor::stateful_pointer<tracer_state> self,
       config::tracer_config cfg, std::shared_ptr<span_buffers> buffers,
       storage_writer_actor storage, std::shared_ptr<spdlog::logger> log);

} // namespace argus
