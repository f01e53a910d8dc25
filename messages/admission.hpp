#pragma once

// What an event must be before argus keeps it: checks (and the one defined
// repair) applied where events come in from outside the process, and again
// by the component that stores them, so nothing invalid is ever stored.

#include "messages/events.hpp"

#include <optional>
#include <string>

namespace argus {

/// Why a span was refused.
enum class span_defect : uint8_t {
  /// Neither a trace id nor a correlation id to derive one from.
  no_trace_id,
  /// A trace id that is not 32 lowercase hex digits, or all zero.
  bad_trace_id,
  /// A span id that is missing, not 16 lowercase hex digits, or all zero.
  bad_span_id,
  /// A parent span id that is given but not 16 lowercase hex digits.
  bad_parent_span_id,
  /// A start or end time that is zero or negative.
  missing_time,
  /// An end before the start.
  reversed_times,
};

/// @returns the enumerator name, e.g. `"bad_trace_id"`.
const char* to_string(span_defect x);

/// Checks `x`, repairing the one thing that has a defined repair: a span
/// without a trace id takes the one its correlation id maps to
/// (`trace_id_for`), as spans recorded in-process do.
/// @returns the defect that makes `x` unfit to store, if any.
std::optional<span_defect> admit(span_recorded& x);

/// @returns a sentence saying what is wrong with `x` for a `defect`.
std::string describe(span_defect defect, const span_recorded& x);

/// Admits an event read from the wire: spans as above, everything else as
/// it is. @returns an `ec::invalid_argument` error naming the defect.
caf::error admit(inbound_event& x);

} // namespace argus
