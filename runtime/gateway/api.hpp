#pragma once

// The REST API's routes over a running engine: the spec's endpoints plus
// health, status and the Prometheus scrape. Each handler asks a component
// (with a timeout) on a gateway worker, never on an actor's thread.

#include "runtime/engine.hpp"
#include "runtime/gateway/routes.hpp"
#include "storage/reader.hpp"

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

/// @returns the report routes (`/api/reports/*`).
std::vector<route> report_routes(engine& eng, const api_options& opts);

// -- what the route files share ----------------------------------------------

/// A component's failure to answer: a timeout is 504, anything else 503.
http_response unavailable(const caf::error& err);

/// A 400 with `detail`.
http_response bad_request(std::string detail);

/// The read-only connection of this worker thread to `path`, opened on
/// first use (SQLite connections are not shared across threads); nullptr
/// with `error` set if it cannot be opened.
storage::db_reader* worker_reader(const std::string& path, std::string& error);

/// @returns every route of the API over `eng` (which must outlive them).
std::vector<route> api_routes(engine& eng, const api_options& opts);

} // namespace argus::gateway
