#pragma once

// The REST API's routes over a running engine: the spec's endpoints plus
// health, status and the Prometheus scrape. Each handler asks a component
// (with a timeout) on a gateway worker, never on an actor's thread.

#include "runtime/engine.hpp"
#include "runtime/gateway/routes.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace argus::gateway {

struct api_options {
  /// How long a handler waits for a component.
  std::chrono::milliseconds timeout{10'000};
  /// The SQLite file the history reads go to (read-only).
  std::string database_path;
};

/// @returns the ingest routes (`POST /api/events`, `POST /v1/traces`).
std::vector<route> ingest_routes(engine& eng, const api_options& opts);

/// @returns every route of the API over `eng` (which must outlive them).
std::vector<route> api_routes(engine& eng, const api_options& opts);

} // namespace argus::gateway
