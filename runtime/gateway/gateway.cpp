#include "runtime/gateway/gateway.hpp"

#include "messages/correlation_id.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "runtime/correlation.hpp"

#include <nlohmann/json.hpp>

namespace argus::gateway {

namespace {

runtime::correlation_source& request_ids() {
  static auto* ids = new runtime::correlation_source;
  return *ids;
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs)
    out += (out.empty() ? "" : ", ") + x;
  return out;
}

storage::audit_record audit_record_of(const request_record& r) {
  storage::audit_record a;
  a.time_ns = r.start_ns + r.duration_ns;
  a.event = r.auth_failure.empty() ? "request" : "auth_failed";
  a.principal = r.principal;
  if (r.granted != role::anyone)
    a.role = to_string(r.granted);
  a.method = r.method;
  a.route = r.route;
  a.path = r.path;
  a.status = r.status;
  a.bytes_in = r.bytes_in;
  a.bytes_out = r.bytes;
  a.duration_ns = r.duration_ns;
  a.peer = r.peer;
  a.detail = r.auth_failure;
  if (auto corr = correlation_id::parse(r.correlation_id))
    a.corr = *corr;
  return a;
}

} // namespace

gateway::gateway(gateway_options opts, std::vector<route> routes)
    : opts_(std::move(opts)),
      router_(std::move(routes)),
      throttle_(opts_.cfg.auth_failures_before_throttle,
                opts_.cfg.auth_throttle_window) {
  correlation_key_ = opts_.correlation_header;
  for (auto& c : correlation_key_)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
}

std::unique_ptr<gateway> gateway::start(gateway_options opts,
                                        std::vector<route> routes,
                                        std::string& error) {
  if (opts.cfg.tokens.empty()) {
    error = "no tokens configured (gateway.tokens): every route but /healthz "
            "needs one";
    return nullptr;
  }
  std::unique_ptr<gateway> g{new gateway(std::move(opts), std::move(routes))};
  for (const auto& [name, t] : g->opts_.cfg.tokens) {
    role r;
    if (!parse_role(t.role, r)) {
      error = "gateway.tokens." + name + ".role: unknown role '" + t.role + "'";
      return nullptr;
    }
    g->tokens_.add(name, r, t.token.reveal());
  }
  // Plain text of the tokens is not kept beyond this point.
  for (auto& [name, t] : g->opts_.cfg.tokens)
    t.token = config::secret{};
  if (g->opts_.cfg.audit && g->opts_.audit_sink)
    g->audit_ = std::make_unique<audit_trail>(g->opts_.audit_sink,
                                              g->opts_.cfg.audit_max_pending,
                                              std::chrono::milliseconds{200});
  for (size_t i = 0; i < g->opts_.cfg.workers; ++i)
    g->workers_.emplace_back([p = g.get()] {
      p->run_worker();
    });
  http_server_options so;
  so.address = g->opts_.cfg.address;
  so.port = g->opts_.cfg.port;
  so.max_connections = g->opts_.cfg.max_connections;
  so.header_limit = g->opts_.cfg.max_header_bytes;
  so.body_limit = g->opts_.cfg.max_body_bytes;
  so.read_timeout = g->opts_.cfg.read_timeout;
  so.tls_certificate = g->opts_.cfg.tls_certificate;
  so.tls_key = g->opts_.cfg.tls_key;
  so.io_threads = g->opts_.cfg.io_threads;
  upgrade_handler upgrade;
  if (g->opts_.websocket)
    upgrade = [p = g.get()](const http_request& req, http_response& refusal) {
      return p->accept_websocket(req, refusal);
    };
  g->server_ = http_server::start(
    so,
    [p = g.get()](http_request req, responder respond) {
      p->handle(std::move(req), std::move(respond));
    },
    error, std::move(upgrade));
  if (!g->server_) {
    g->stop();
    return nullptr;
  }
  return g;
}

gateway::~gateway() {
  stop();
}

uint16_t gateway::port() const noexcept {
  return server_ ? server_->port() : 0;
}

std::string gateway::url() const {
  auto host = opts_.cfg.address;
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";
  return (opts_.cfg.tls_certificate.empty() ? "http://" : "https://") + host
         + ":" + std::to_string(port());
}

void gateway::stop() {
  {
    std::lock_guard<std::mutex> guard{queue_mtx_};
    stopping_ = true;
  }
  queue_cv_.notify_all();
  for (auto& w : workers_)
    if (w.joinable())
      w.join();
  workers_.clear();
  {
    std::lock_guard<std::mutex> guard{queue_mtx_};
    queue_.clear();
  }
  if (server_)
    server_->stop();
  // Last: the requests answered while stopping are audited too.
  if (audit_)
    audit_->stop();
}

std::map<std::string, uint64_t> gateway::counters() const {
  auto result
    = server_ ? server_->counters() : std::map<std::string, uint64_t>{};
  auto get = [](const std::atomic<uint64_t>& x) {
    return x.load(std::memory_order_relaxed);
  };
  result["auth_missing"] = get(auth_missing_);
  result["auth_invalid"] = get(auth_invalid_);
  result["auth_forbidden"] = get(auth_forbidden_);
  result["auth_throttled"] = get(auth_throttled_);
  result["not_found"] = get(not_found_);
  result["method_not_allowed"] = get(method_not_allowed_);
  result["queue_full"] = get(queue_full_);
  result["handler_errors"] = get(handler_errors_);
  result["bad_correlation_id"] = get(bad_correlation_id_);
  result["websockets_refused_cap"] = get(websocket_rejected_cap_);
  auto live = hub_.stats();
  result["live_offered"] = live.offered;
  result["live_dropped"] = live.dropped;
  result["live_closed_slow"] = live.closed_slow;
  result["live_connections"] = hub_.connections();
  for (size_t i = 0; i < live::topic_count; ++i)
    result[std::string{"live_published_"}
           + live::to_string(static_cast<live::topic>(i))]
      = live.published[i];
  if (audit_) {
    auto a = audit_->get_counters();
    result["audit_recorded"] = a.recorded;
    result["audit_taken"] = a.taken;
    result["audit_dropped"] = a.dropped;
  }
  return result;
}

bool gateway::enqueue(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> guard{queue_mtx_};
    if (stopping_ || queue_.size() >= opts_.cfg.max_queued_requests)
      return false;
    queue_.push_back(std::move(job));
  }
  queue_cv_.notify_one();
  return true;
}

void gateway::run_worker() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock{queue_mtx_};
      queue_cv_.wait(lock, [this] {
        return stopping_ || !queue_.empty();
      });
      if (stopping_)
        return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

std::optional<principal>
gateway::authorize(const http_request& req,
                   const std::optional<std::string_view>& token, role min_role,
                   request_record& rec, http_response& refusal) {
  auto address = peer_address(req.peer);
  auto now = failure_throttle::clock::now();
  auto wait = throttle_.blocked_for(address, now);
  if (wait.count() > 0) {
    auth_throttled_.fetch_add(1, std::memory_order_relaxed);
    rec.auth_failure = "throttled";
    auto res = problem(429, "Too Many Requests",
                       "too many failed authentications from this address");
    res.headers.emplace_back("Retry-After",
                             std::to_string((wait.count() + 999) / 1000));
    refusal = std::move(res);
    return std::nullopt;
  }
  if (!token) {
    auth_missing_.fetch_add(1, std::memory_order_relaxed);
    rec.auth_failure = "no bearer token";
    throttle_.failed(address, now);
    auto res = problem(401, "Unauthorized",
                       "this route needs a bearer token (Authorization: "
                       "Bearer <token>)");
    res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"argus\"");
    refusal = std::move(res);
    return std::nullopt;
  }
  auto found = tokens_.find(*token);
  if (!found) {
    auth_invalid_.fetch_add(1, std::memory_order_relaxed);
    rec.auth_failure = "unknown token";
    throttle_.failed(address, now);
    auto res = problem(401, "Unauthorized", "the bearer token is not valid");
    res.headers.emplace_back("WWW-Authenticate",
                             "Bearer realm=\"argus\", error=\"invalid_token\"");
    refusal = std::move(res);
    return std::nullopt;
  }
  throttle_.succeeded(address);
  principal who = *found;
  rec.principal = who.name;
  rec.granted = who.granted;
  if (who.granted < min_role) {
    auth_forbidden_.fetch_add(1, std::memory_order_relaxed);
    rec.auth_failure = std::string{"role "} + to_string(who.granted)
                       + " is below " + to_string(min_role);
    refusal = problem(403, "Forbidden",
                      std::string{"this route needs the "} + to_string(min_role)
                        + " role; token '" + who.name + "' has "
                        + to_string(who.granted));
    return std::nullopt;
  }
  return who;
}

std::optional<websocket_endpoint>
gateway::accept_websocket(const http_request& req, http_response& refusal) {
  request_record rec;
  rec.method = req.method;
  rec.route = "/ws";
  rec.path = req.path;
  rec.peer = req.peer;
  rec.start_ns = wall_clock_ns();
  // Counted and audited like every request, the accepted ones as 101.
  auto record = [&](int status, size_t bytes) {
    rec.status = status;
    rec.bytes = bytes;
    rec.duration_ns = wall_clock_ns() - rec.start_ns;
    if (opts_.on_request)
      opts_.on_request(rec);
    if (audit_)
      audit_->record(audit_record_of(rec));
  };
  auto refuse = [&](http_response res) -> std::optional<websocket_endpoint> {
    record(res.status, res.body.size());
    refusal = std::move(res);
    return std::nullopt;
  };
  if (req.path != "/ws") {
    rec.route = "(no route)";
    not_found_.fetch_add(1, std::memory_order_relaxed);
    return refuse(
      problem(404, "Not Found",
              "no WebSocket endpoint at " + req.path + " (it is /ws)"));
  }
  // Browsers cannot set headers on a WebSocket: the token may come as
  // `access_token` on the upgrade request only (RFC 6750 2.3). The path,
  // not the target, is what is logged and audited.
  auto token = bearer_token(req.header("authorization"));
  auto query = query_params::parse(req.query);
  std::string from_query;
  if (!token)
    if (auto t = query.get("access_token")) {
      from_query = *t;
      token = std::string_view{from_query};
    }
  http_response denied;
  if (!authorize(req, token, role::viewer, rec, denied))
    return refuse(std::move(denied));
  if (hub_.connections() >= opts_.cfg.websocket_max_connections) {
    websocket_rejected_cap_.fetch_add(1, std::memory_order_relaxed);
    auto res
      = problem(503, "Service Unavailable",
                "too many WebSocket clients (websocket_max_connections "
                  + std::to_string(opts_.cfg.websocket_max_connections) + ")");
    res.headers.emplace_back("Retry-After", "5");
    return refuse(std::move(res));
  }
  live::outbox_limits limits;
  limits.max_messages = opts_.cfg.websocket_queue_messages;
  auto conn = hub_.attach(limits, {});
  websocket_endpoint ep;
  ep.next = [conn]() -> std::shared_ptr<const std::string> {
    auto f = conn->take();
    return f ? std::move(f->text) : nullptr;
  };
  ep.on_open = [conn](std::function<void(bool)> wake) {
    conn->set_notify(std::move(wake));
  };
  ep.on_message = [this, conn](std::string_view text) {
    return on_websocket_message(conn, text);
  };
  ep.on_close = [this, conn] {
    hub_.detach(conn);
  };
  ep.read_message_max = opts_.cfg.websocket_max_message_bytes;
  ep.idle_timeout = std::chrono::duration_cast<std::chrono::seconds>(
    opts_.cfg.websocket_idle_timeout);
  if (ep.idle_timeout.count() < 1)
    ep.idle_timeout = std::chrono::seconds{1};
  record(101, 0);
  return ep;
}

std::string
gateway::on_websocket_message(const std::shared_ptr<live::connection>& c,
                              std::string_view text) {
  std::string error;
  auto r = live::parse_request(text, error);
  if (!r)
    return dump_json({{"type", "error"}, {"reason", error}});
  auto topic = live::to_string(r->on);
  switch (r->what) {
    case live::request::op::subscribe:
      c->subscribe(r->on, std::move(r->with));
      return dump_json(
        {{"type", "subscribed"}, {"topic", topic}, {"id", r->id}});
    case live::request::op::unsubscribe: {
      bool had = c->unsubscribe(r->on);
      return dump_json({{"type", "unsubscribed"},
                        {"topic", topic},
                        {"id", r->id},
                        {"was_subscribed", had}});
    }
    case live::request::op::snapshot: {
      if (auto last = hub_.last(r->on))
        return *last;
      auto nothing = dump_json(
        {{"type", "error"},
         {"id", r->id},
         {"reason", std::string{"nothing published on "} + topic + " yet"}});
      if (!opts_.snapshot_on_request)
        return nothing;
      // Made on a worker (it asks the engine), answered when ready; the
      // client's other messages go on meanwhile.
      std::weak_ptr<live::connection> weak = c;
      auto on = r->on;
      auto seq = hub_.last_seq(on);
      auto queued = enqueue([this, weak, on, seq, nothing] {
        auto text = opts_.snapshot_on_request(on, seq);
        if (auto conn = weak.lock())
          conn->reply(text ? std::move(*text) : nothing);
      });
      if (!queued)
        return dump_json(
          {{"type", "error"}, {"id", r->id}, {"reason", "busy: try again"}});
      return {};
    }
  }
  return {};
}

void gateway::handle(http_request req, responder respond) {
  auto start_ns = wall_clock_ns();
  auto rec = std::make_shared<request_record>();
  rec->method = req.method;
  // A pattern, never the raw path: the route is a metric label.
  rec->route = "(no route)";
  rec->path = req.path;
  rec->bytes_in = req.body.size();
  rec->peer = req.peer;
  rec->start_ns = start_ns;
  rec->traceparent = std::string{req.header("traceparent")};
  // Every answer carries the request's correlation id and is recorded.
  auto finish = [this, rec, respond](http_response res) {
    rec->status = res.status;
    rec->bytes = res.shared_body ? res.shared_body->size() : res.body.size();
    rec->duration_ns = wall_clock_ns() - rec->start_ns;
    if (!rec->correlation_id.empty())
      res.headers.emplace_back(opts_.correlation_header, rec->correlation_id);
    if (opts_.on_request)
      opts_.on_request(*rec);
    if (audit_)
      audit_->record(audit_record_of(*rec));
    respond(std::move(res));
  };
  auto given = req.header(correlation_key_);
  if (!given.empty()) {
    if (!correlation_id::valid(given)) {
      bad_correlation_id_.fetch_add(1, std::memory_order_relaxed);
      return finish(problem(400, "Bad Request",
                            opts_.correlation_header
                              + ": a correlation id is 1 to 64 printable "
                                "ASCII characters without spaces"));
    }
    rec->correlation_id = std::string{given};
  } else {
    rec->correlation_id = request_ids().next().str();
  }
  auto m = router_.find(req.method, req.path);
  if (!m.found) {
    if (m.allowed.empty()) {
      not_found_.fetch_add(1, std::memory_order_relaxed);
      return finish(problem(404, "Not Found",
                            "no route for " + req.path
                              + " (the routes are listed in the README)"));
    }
    method_not_allowed_.fetch_add(1, std::memory_order_relaxed);
    auto res = problem(405, "Method Not Allowed",
                       req.method + " is not allowed on " + req.path
                         + "; allowed: " + join(m.allowed));
    res.headers.emplace_back("Allow", join(m.allowed));
    return finish(std::move(res));
  }
  const auto& r = *m.found;
  rec->route = r.pattern;
  principal who;
  if (r.min_role != role::anyone) {
    http_response refusal;
    auto found = authorize(req, bearer_token(req.header("authorization")),
                           r.min_role, *rec, refusal);
    if (!found)
      return finish(std::move(refusal));
    who = std::move(*found);
  }
  auto query = query_params::parse(req.query);
  if (!query.error.empty())
    return finish(problem(400, "Bad Request", query.error));
  auto job = [this, finish, req = std::move(req), params = std::move(m.params),
              query = std::move(query), who = std::move(who), rec,
              handler = &r.handler]() mutable {
    request_context ctx{req, std::move(params), std::move(query),
                        std::move(who), rec->correlation_id};
    http_response res;
    try {
      res = (*handler)(ctx);
    } catch (const std::exception& e) {
      handler_errors_.fetch_add(1, std::memory_order_relaxed);
      res = problem(500, "Internal Server Error", e.what());
    } catch (...) {
      handler_errors_.fetch_add(1, std::memory_order_relaxed);
      res = problem(500, "Internal Server Error",
                    "the request could not be handled");
    }
    finish(std::move(res));
  };
  if (!enqueue(std::move(job))) {
    queue_full_.fetch_add(1, std::memory_order_relaxed);
    auto res = problem(503, "Service Unavailable",
                       "too many requests waiting (max_queued_requests "
                         + std::to_string(opts_.cfg.max_queued_requests) + ")");
    res.headers.emplace_back("Retry-After", "1");
    finish(std::move(res));
  }
}

} // namespace argus::gateway
