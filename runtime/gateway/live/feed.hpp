#pragma once

// What the engine publishes on the live topics: each component event
// rendered once as a JSON message (`type`, `topic`, `seq`, the correlation
// id where there is one, then the event's fields) with the facts the
// clients' filters match. Plain functions over a hub, tested without an
// actor system; the engine's listener and publisher call them.

#include "messages/metrics.hpp"
#include "messages/ml.hpp"
#include "messages/status.hpp"
#include "messages/tracing.hpp"
#include "messages/tracking.hpp"
#include "runtime/gateway/live/hub.hpp"

#include <optional>

#include <nlohmann/json.hpp>

namespace argus::gateway::live {

/// metrics: `{"type":"metrics","dashboard":…}`, the dashboard's own text
/// as it pushed it (inserted, not parsed again); other views are ignored.
uint64_t publish(hub& h, const metrics_view& x);

/// The metrics message of dashboard view `x` numbered `seq` (as published,
/// and as answered to a `snapshot` request while nothing is pushed).
std::string render_metrics(const metrics_view& x, uint64_t seq);

/// traces: `{"type":"request",…}`, once as it finishes and again (a higher
/// `revision`) when later spans extend its path.
uint64_t publish(hub& h, const request_summary& x);

/// alerts: `{"type":"drift_alert","change":"fired",…}`.
uint64_t publish(hub& h, const drift_alert& x);

/// alerts: `{"type":"retrain_requested",…}`.
uint64_t publish(hub& h, const retrain_requested& x);

/// tracking, kind `regimes`: `{"type":"regime_changed",…}`.
uint64_t publish(hub& h, const regime_changed& x);

/// tracking, kind `features`: `{"type":"feature_rank_changed",…}`.
uint64_t publish(hub& h, const feature_rank_changed& x);

/// tracking, the view's kind: `{"type":"tracking_view","kind":…,"view":…}`.
uint64_t publish(hub& h, const tracking_view& x);

/// status: a `component` message for each component whose state or restart
/// count differs from `before` (or that is new), then the whole
/// `{"type":"status",…}` snapshot.
void publish(hub& h, const integration_status& now,
             const std::optional<integration_status>& before);

/// The status as `GET /api/status` and the `status` topic show it.
nlohmann::json to_json(const integration_status& st);

} // namespace argus::gateway::live
