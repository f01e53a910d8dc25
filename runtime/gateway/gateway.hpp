#pragma once

// The HTTP gateway: the listener, the route table, bearer auth and a pool
// of worker threads that run the handlers. It holds no monitoring state:
// handlers ask the engine's components or read SQLite.

#include "config/components.hpp"
#include "runtime/gateway/audit_trail.hpp"
#include "runtime/gateway/auth.hpp"
#include "runtime/gateway/http_server.hpp"
#include "runtime/gateway/live/hub.hpp"
#include "runtime/gateway/routes.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace argus::gateway {

/// What the gateway tells about each request once it is answered (audit,
/// the request's span). Called on a worker or the I/O thread; must not
/// block.
struct request_record {
  std::string principal;
  role granted = role::anyone;
  std::string method;
  /// The route's pattern, or `(no route)`.
  std::string route;
  /// The path asked for, without the query.
  std::string path;
  int status = 0;
  size_t bytes_in = 0;
  size_t bytes = 0;
  /// Why authentication failed (empty: it did not).
  std::string auth_failure;
  int64_t start_ns = 0;
  int64_t duration_ns = 0;
  std::string peer;
  std::string correlation_id;
  /// The request's `traceparent`, if it came with one.
  std::string traceparent;
};

struct gateway_options {
  config::gateway_config cfg;
  /// The header that carries a request's correlation id.
  std::string correlation_header = "X-Correlation-ID";
  std::function<void(const request_record&)> on_request;
  /// Where the audit trail's rows go (`cfg.audit`); none: no audit trail.
  audit_trail::sink audit_sink;
  /// `/ws` (the spec's `enable_websocket_broadcast`).
  bool websocket = true;
  /// Makes a `snapshot` of a topic nothing was published on yet (the
  /// metrics topic while `enable_real_time_updates` is off), numbered
  /// `seq`: called on a worker, may block. Nothing: no such snapshot.
  std::function<std::optional<std::string>(live::topic, uint64_t seq)>
    snapshot_on_request;
};

class gateway {
public:
  /// Starts the listener and the workers. @returns nullptr with `error` set
  /// when it cannot listen or a token's role is unknown.
  static std::unique_ptr<gateway>
  start(gateway_options opts, std::vector<route> routes, std::string& error);

  ~gateway();

  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;

  uint16_t port() const noexcept;

  /// `http://address:port`, or `https://` with TLS.
  std::string url() const;

  const router& routes() const noexcept {
    return router_;
  }

  /// Stops the workers (requests not yet started are dropped), then the
  /// listener. Idempotent.
  void stop();

  /// The listener's counters and the gateway's own (`auth_missing`,
  /// `auth_invalid`, `auth_forbidden`, `auth_throttled`, `not_found`,
  /// `method_not_allowed`, `queue_full`, `handler_errors`, and the audit
  /// trail's `audit_recorded`, `audit_taken`, `audit_dropped`).
  std::map<std::string, uint64_t> counters() const;

  /// The live topics `/ws` clients subscribe to; the engine publishes.
  live::hub& live() noexcept {
    return hub_;
  }

private:
  gateway(gateway_options opts, std::vector<route> routes);

  void handle(http_request req, responder respond);

  /// Checks `token` (throttled per address) for `min_role`, filling what
  /// `rec` says of the principal. @returns who, or nothing with `refusal`
  /// (401, 403, 429) set.
  std::optional<principal>
  authorize(const http_request& req,
            const std::optional<std::string_view>& token, role min_role,
            request_record& rec, http_response& refusal);

  /// Answers an upgrade of `/ws` (I/O thread, never blocks): a live
  /// connection for a viewer, or `refusal`.
  std::optional<websocket_endpoint> accept_websocket(const http_request& req,
                                                     http_response& refusal);

  /// A client's message on `/ws`: @returns the answer to send it.
  std::string on_websocket_message(const std::shared_ptr<live::connection>& c,
                                   std::string_view text);
  void run_worker();
  bool enqueue(std::function<void()> job);

  gateway_options opts_;
  /// `opts_.correlation_header` in lower case, as request headers are.
  std::string correlation_key_;
  router router_;
  token_store tokens_;
  failure_throttle throttle_;

  std::mutex queue_mtx_;
  std::condition_variable queue_cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;

  std::atomic<uint64_t> auth_missing_{0};
  std::atomic<uint64_t> auth_invalid_{0};
  std::atomic<uint64_t> auth_forbidden_{0};
  std::atomic<uint64_t> auth_throttled_{0};
  std::atomic<uint64_t> not_found_{0};
  std::atomic<uint64_t> method_not_allowed_{0};
  std::atomic<uint64_t> queue_full_{0};
  std::atomic<uint64_t> handler_errors_{0};
  std::atomic<uint64_t> bad_correlation_id_{0};

  std::unique_ptr<audit_trail> audit_;

  // Before the listener: the sessions it holds detach from it as they go.
  live::hub hub_;
  std::atomic<uint64_t> websocket_rejected_cap_{0};

  // `stop` (also from the destructor) joins the workers and drops the
  // queued jobs, whose responders hold sessions, before the listener goes.
  std::unique_ptr<http_server> server_;
};

} // namespace argus::gateway
