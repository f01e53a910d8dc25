#pragma once

// The one list of the engine's components.

#include "actors/common/component_registry.hpp"
#include "actors/metrics_dashboard/metrics_dashboard.hpp"
#include "actors/tracer/span_buffers.hpp"
#include "config/components.hpp"
#include "storage/storage_writer.hpp"

#include <memory>

namespace argus {

/// What the engine owns and its components read.
struct engine_resources {
  /// Where the bot's threads put spans; the tracer drains them (none: no
  /// tracer).
  std::shared_ptr<span_buffers> spans;
  /// What the metrics dashboard reads (no registry: no dashboard).
  metrics_dashboard_sources metrics;
};

/// @returns the storage writer's settings for `cfg`.
storage::storage_writer_config
make_storage_writer_config(const config::storage_config& cfg);

/// @returns the registry of every built-in component, reading `resources`.
component_registry builtin_components(const engine_resources& resources);

} // namespace argus
