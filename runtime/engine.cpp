#include "runtime/engine.hpp"

#include "actors/report_scheduler/plan.hpp"

#include "actors/registry.hpp"
#include "actors/supervisor/supervisor.hpp"
#include "messages/json_text.hpp"
#include "runtime/dispatcher.hpp"
#include "runtime/gateway/api.hpp"
#include "runtime/gateway/gateway.hpp"
#include "runtime/gateway/live/feed.hpp"
#include "runtime/gateway/live_meters.hpp"
#include "runtime/gateway/request_meters.hpp"
#include "runtime/gateway/web_assets.hpp"
#include "runtime/privacy/redactor.hpp"
#include "runtime/system.hpp"
#include "storage/sqlite_store.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>
#include <thread>

#include <nlohmann/json.hpp>

namespace argus {

namespace {

/// A behavior that publishes each of `Ts` on the live topics of `hub`.
template <class... Ts>
caf::behavior live_publishing(gateway::live::hub* hub) {
  return {[hub](const Ts& x) {
    gateway::live::publish(*hub, x);
  }...};
}

/// The engines started and not yet destroyed. Never destroyed itself: it is
/// read at exit, in any order relative to other statics.
struct live_engines {
  std::mutex mtx;
  std::vector<engine*> all;
};

live_engines& live() {
  static auto* x = new live_engines;
  return *x;
}

} // namespace

void engine::shut_down_at_exit() {
  std::vector<engine*> all;
  {
    std::lock_guard<std::mutex> guard{live().mtx};
    all.swap(live().all);
  }
  // On a thread of its own: the exiting thread's thread-local objects,
  // CAF's among them, are already destroyed when exit handlers run.
  std::thread worker{[&] {
    for (auto* e : all)
      e->shut_down();
  }};
  worker.join();
}

void engine::shut_down() {
  static_cast<void>(stop());
  // The actor system goes now, not in the destructor: an engine kept in a
  // static is destroyed after statics that CAF created while it started
  // (registered at exit after it), which its actor system needs.
  supervisor_ = nullptr;
  dispatcher_ = nullptr;
  ingress_->dispatcher = nullptr;
  snapshot_listeners_.clear();
  forget_directory();
  system_.reset();
  system_cfg_.reset();
}

engine::engine(config::engine_config cfg, engine_options opts)
    : cfg_(std::move(cfg)),
      opts_(std::move(opts)),
      logs_(std::make_shared<runtime::log_hub>(
        runtime::parse_log_level(
          opts_.log_level.value_or(cfg_.runtime.log_level)),
        opts_.log_sinks)),
      log_(logs_->get("engine")),
      ingress_(std::make_shared<runtime::detail::ingress>(
        std::max<size_t>(cfg_.runtime.client_queue_capacity, 2),
        std::make_shared<span_buffers>(
          std::max<size_t>(cfg_.advanced_tracer.thread_buffer_spans, 2),
          recording_options{cfg_.advanced_tracer.enable_tracing,
                            cfg_.advanced_tracer.enable_error_tracing}),
        cfg_.metrics_dashboard.max_series_per_metric,
        cfg_.runtime.door_queue_percent)),
      client_(ingress_),
      termination_(std::make_shared<termination>()) {
}

engine::~engine() {
  {
    std::lock_guard<std::mutex> guard{live().mtx};
    auto& all = live().all;
    all.erase(std::remove(all.begin(), all.end(), this), all.end());
  }
  shut_down();
}

caf::error engine::start() {
  if (started_)
    return caf::make_error(ec::invalid_argument, "engine already started");
  auto issues = config::validate(cfg_);
  if (!issues.empty()) {
    std::string all;
    for (const auto& i : issues)
      all += (all.empty() ? "" : "\n") + i.path + ": " + i.message;
    return caf::make_error(ec::invalid_config, all);
  }
  if (cfg_.enabled) {
    // Open and migrate once up front, so a bad path, a corrupt file or a
    // newer schema fails `start` with a clear error instead of a crash loop.
    auto probe = storage::sqlite_store::open(
      make_storage_writer_config(cfg_.storage).db);
    if (!probe)
      return std::move(probe.error());
  }
  auto privacy = privacy::redactor::make(cfg_.privacy);
  if (!privacy)
    return std::move(privacy.error());
  if (!cfg_.privacy.redact_keys.empty()
      || !cfg_.privacy.redact_patterns.empty()) {
    ingress_->privacy = *privacy;
    if (ingress_->spans)
      ingress_->spans->on_drain([r = *privacy](span_slot& slot) {
        try {
          r->apply(slot);
        } catch (const std::bad_alloc&) {
          // Out of memory: the span keeps its ids and times, none of its
          // texts, never them as they came.
          slot.attr_count = 0;
          slot.operation_len = 0;
          slot.message_len = 0;
          delete slot.overflow;
          slot.overflow = nullptr;
        }
      });
  }
  engine_resources resources;
  resources.spans = ingress_->spans;
  // The registry lives in the ingress; the dashboard shares its lifetime.
  resources.metrics.registry
    = std::shared_ptr<metrics_registry>(ingress_, &ingress_->metrics);
  resources.metrics.engine_counters = [c = client_] {
    return c.counter_map();
  };
  resources.metrics.database_path = cfg_.storage.path;
  resources.metrics.published = dashboard_view_;
  auto registry = builtin_components(resources);
  for (const auto& spec : opts_.components)
    if (auto err = registry.add(spec))
      return err;
  auto plan = registry.plan(cfg_);
  if (!plan)
    return std::move(plan.error());
  system_cfg_ = std::make_unique<caf::actor_system_config>();
  runtime::configure(*system_cfg_, cfg_.runtime);
  system_ = std::make_unique<caf::actor_system>(*system_cfg_);
  dispatcher_ = system_->spawn(runtime::dispatcher, ingress_, *plan);
  ingress_->dispatcher = dispatcher_;
  auto hub = logs_;
  supervisor_
    = system_->spawn(argus::supervisor, cfg_, dispatcher_, std::move(*plan),
                     logger_factory{[hub](const std::string& id) {
                       return hub->get(id);
                     }});
  auto term = termination_;
  supervisor_->attach_functor([term](const caf::error& reason) {
    std::lock_guard<std::mutex> guard{term->mtx};
    term->done = true;
    term->reason = reason;
    term->cv.notify_all();
  });
  started_ = true;
  // Wait until every component answers: the supervisor has then spawned them
  // and told the dispatcher where events go, so nothing published from here
  // on can find the routes empty.
  auto st = status(cfg_.monitoring_integration.shutdown_timeout);
  std::string failed;
  if (!st)
    failed = system_->render(st.error());
  else
    for (const auto& c : st->components)
      if (c.state != component_state::running)
        failed += (failed.empty() ? "" : "; ") + c.id + " is "
                  + to_string(c.state)
                  + (c.last_error.empty() ? "" : ": " + c.last_error);
  if (!failed.empty()) {
    static_cast<void>(stop());
    return caf::make_error(ec::component_down,
                           "engine did not start: " + failed);
  }
  ingress_->accepting.store(cfg_.enabled, std::memory_order_release);
  if (cfg_.gateway.enabled) {
    gateway::gateway_options gopts;
    gopts.cfg = cfg_.gateway;
    gopts.correlation_header = cfg_.advanced_tracer.correlation_id_header;
    // Through the storage writer like every row; its answer says how many
    // it took, and waiting for it paces the trail's thread, not a request.
    gopts.audit_sink = [this](std::vector<db_row>&& rows) -> size_t {
      auto n = rows.size();
      auto taken = ask<uint64_t>(
        storage_writer_key, std::chrono::seconds{10},
        persist_rows{make_header<persist_rows>(correlation_id{}),
                     std::move(rows)});
      return taken ? std::min<size_t>(n, *taken) : 0;
    };
    std::string error;
    auto routes = gateway::api_routes(
      *this, {cfg_.gateway.request_timeout, cfg_.storage.path});
    routes.insert(routes.end(), opts_.routes.begin(), opts_.routes.end());
    if (cfg_.gateway.dashboard) {
      auto root = cfg_.gateway.web_root.empty() ? gateway::default_web_root()
                                                : cfg_.gateway.web_root;
      std::string why;
      if (auto assets = gateway::load_web_assets(root, why)) {
        auto web = gateway::web_routes(std::move(*assets));
        routes.insert(routes.end(), web.begin(), web.end());
      } else {
        // The API works without the page: say why there is none, at start
        // and to whoever opens it.
        log_->warn("dashboard-unavailable reason={}", why);
        routes.push_back({"GET", "/", gateway::role::anyone,
                          "the live web dashboard (unavailable)",
                          [why](const gateway::request_context&) {
                            return gateway::problem(
                              503, "Service Unavailable",
                              "the web dashboard is not installed: " + why);
                          }});
      }
    }
    // Requests by route and status, and their latency, on /metrics.
    auto meters = std::make_shared<gateway::request_meters>(client_, routes);
    gopts.on_request = [meters](const gateway::request_record& r) {
      meters->record(r);
    };
    gopts.websocket = cfg_.metrics_dashboard.enable_websocket_broadcast;
    // Without real-time updates nothing is pushed on `metrics`: a client
    // asks, and gets the dashboard as it is now.
    gopts.snapshot_on_request
      = [this](gateway::live::topic t,
               uint64_t seq) -> std::optional<std::string> {
      if (t != gateway::live::topic::metrics)
        return std::nullopt;
      metrics_query q;
      q.kind = metrics_view_kind::dashboard;
      auto v = metrics(std::move(q), cfg_.gateway.request_timeout);
      if (!v)
        return std::nullopt;
      return gateway::live::render_metrics(*v, seq);
    };
    gateway_
      = gateway::gateway::start(std::move(gopts), std::move(routes), error);
    if (!gateway_) {
      static_cast<void>(stop());
      return caf::make_error(ec::invalid_config, "gateway: " + error);
    }
    log_->info("gateway-listening url={}", gateway_->url());
    if (cfg_.metrics_dashboard.enable_websocket_broadcast) {
      auto* hub = &gateway_->live();
      live_listener_ = system_->spawn([hub] {
        return live_publishing<request_summary, drift_alert, retrain_requested,
                               regime_changed, feature_rank_changed,
                               tracking_view, metrics_view>(hub);
      });
      // Through the supervisor, so a component that restarts has the
      // listener again. The dashboard pushes its snapshot as it makes it
      // (while enable_real_time_updates): on the page within milliseconds.
      for (auto id : {correlation_manager_key.id, ml_monitor_key.id,
                      tracker_key.id, metrics_dashboard_key.id})
        if (auto err = subscribe(id, live_listener_, std::chrono::seconds{10}))
          log_->warn("live-subscribe-failed component={} reason={}", id,
                     system_->render(err));
      publisher_ = std::thread{[this] {
        publish_live();
      }};
    }
    if (!config::is_loopback_address(cfg_.gateway.address)
        && cfg_.gateway.tls_certificate.empty())
      log_->warn("gateway-insecure address={} tls=off: tokens and data "
                 "cross the network in clear text (allow_insecure_remote)",
                 cfg_.gateway.address);
  }
  {
    std::lock_guard<std::mutex> guard{live().mtx};
    live().all.push_back(this);
  }
  // Registered after CAF made its statics for this system, so it runs
  // before they are destroyed, and before the destructor of an engine that
  // was constructed before it (a static).
  static std::once_flag at_exit;
  std::call_once(at_exit, [] {
    std::atexit(shut_down_at_exit);
  });
  log_->info("engine-started enabled={} database={} threads={}", cfg_.enabled,
             cfg_.storage.path, cfg_.runtime.threads);
  return caf::none;
}

template <class Handle>
caf::expected<Handle> engine::find(component_key<Handle> key,
                                   std::chrono::milliseconds timeout) {
  if (!running())
    return caf::make_error(ec::component_down, "engine is not running");
  {
    // The directory changes only when a component starts or stops, and a
    // handle that went stale fails its request at once (see `ask`): no
    // round trip to the supervisor per question.
    std::lock_guard<std::mutex> guard{directory_->mtx};
    if (directory_->known)
      if (auto handle = directory_->known->get(key))
        return handle;
  }
  auto directory = lookup_directory(timeout);
  if (!directory)
    return std::move(directory.error());
  if (auto handle = directory->get(key))
    return handle;
  return caf::make_error(ec::component_down,
                         std::string{key.id} + " is not running");
}

caf::expected<component_directory>
engine::lookup_directory(std::chrono::milliseconds timeout) {
  caf::scoped_actor self{*system_};
  caf::expected<component_directory> result{caf::make_error(ec::timeout)};
  self->request(supervisor_, timeout, atom::lookup_v)
    .receive(
      [&](component_directory& directory) {
        {
          std::lock_guard<std::mutex> guard{directory_->mtx};
          directory_->known = directory;
        }
        result = std::move(directory);
      },
      [&](caf::error& err) {
        result = std::move(err);
      });
  return result;
}

void engine::forget_directory() {
  std::lock_guard<std::mutex> guard{directory_->mtx};
  directory_->known.reset();
}

template <class Result, class Handle, class... Ts>
caf::expected<Result> engine::ask(component_key<Handle> key,
                                  std::chrono::milliseconds timeout,
                                  Ts&&... xs) {
  auto handle = find(key, timeout);
  if (!handle)
    return std::move(handle.error());
  caf::scoped_actor self{*system_};
  caf::expected<Result> result{caf::make_error(ec::timeout)};
  auto asked = [&](const Handle& to) {
    self->request(to, timeout, xs...)
      .receive(
        [&](Result& x) {
          result = std::move(x);
        },
        [&](caf::error& err) {
          result = std::move(err);
        });
  };
  asked(*handle);
  // The component restarted since the directory was read: read it again
  // and ask the one running now.
  if (!result && result.error() == caf::sec::request_receiver_down) {
    forget_directory();
    handle = find(key, timeout);
    if (!handle)
      return std::move(handle.error());
    asked(*handle);
  }
  return result;
}

caf::expected<argus::operation_latencies>
engine::operation_latencies(std::chrono::nanoseconds window,
                            std::chrono::milliseconds timeout) {
  return ask<argus::operation_latencies>(tracer_key, timeout, atom::stats_v,
                                         static_cast<int64_t>(window.count()));
}

caf::expected<argus::correlation_statistics>
engine::correlation_statistics(std::chrono::milliseconds timeout) {
  return ask<argus::correlation_statistics>(correlation_manager_key, timeout,
                                            atom::stats_v);
}

caf::expected<metrics_view> engine::metrics(metrics_query query,
                                            std::chrono::milliseconds timeout) {
  if (query.hdr.corr.empty())
    query.hdr.corr = client_.new_correlation_id();
  return ask<metrics_view>(metrics_dashboard_key, timeout, std::move(query));
}

caf::expected<std::shared_ptr<const std::string>>
engine::dashboard_text(std::chrono::milliseconds timeout) {
  if (auto text = dashboard_view_->current())
    return text;
  metrics_query q;
  q.kind = metrics_view_kind::dashboard;
  auto v = metrics(std::move(q), timeout);
  if (!v)
    return std::move(v.error());
  // Asking published it: share that text with the readers to come.
  if (auto text = dashboard_view_->current(); text && *text == v->body)
    return text;
  return std::make_shared<const std::string>(std::move(v->body));
}

caf::expected<std::string> engine::view_body(metrics_view_kind kind) {
  metrics_query q;
  q.kind = kind;
  auto v = metrics(std::move(q));
  if (!v)
    return std::move(v.error());
  return std::move(v->body);
}

caf::expected<std::vector<metric_point>>
engine::history(const std::string& metric, const std::string& window,
                metric_labels labels, int64_t from_ns, int64_t to_ns) {
  metrics_query q;
  q.kind = metrics_view_kind::history;
  q.metric = metric;
  q.window = window;
  q.labels = std::move(labels);
  q.from_ns = from_ns;
  q.to_ns = to_ns;
  auto v = metrics(std::move(q));
  if (!v)
    return std::move(v.error());
  return std::move(v->points);
}

caf::error engine::subscribe(std::string_view id, const caf::actor& listener,
                             std::chrono::milliseconds timeout) {
  caf::scoped_actor self{*system_};
  caf::error result;
  self
    ->request(supervisor_, timeout, atom::subscribe_v, std::string{id},
              listener)
    .receive(
      [&](bool known) {
        if (!known)
          result = caf::make_error(ec::component_down,
                                   std::string{id} + " is not a component");
      },
      [&](caf::error& err) {
        result = std::move(err);
      });
  return result;
}

template <class Handle>
caf::error engine::subscribe_listener(component_key<Handle> key,
                                      caf::behavior bhvr) {
  auto listener = system_->spawn([bhvr]() mutable {
    return bhvr;
  });
  snapshot_listeners_.push_back(listener);
  return subscribe(key.id, listener, std::chrono::seconds{10});
}

caf::error
engine::on_metrics_snapshot(std::function<void(const metrics_view&)> f) {
  return subscribe_listener(metrics_dashboard_key,
                            caf::behavior{[f](const metrics_view& v) {
                              f(v);
                            }});
}

caf::expected<ml_view> engine::ml(ml_query query,
                                  std::chrono::milliseconds timeout) {
  if (query.hdr.corr.empty())
    query.hdr.corr = client_.new_correlation_id();
  return ask<ml_view>(ml_monitor_key, timeout, std::move(query));
}

caf::expected<std::vector<drift_alert>>
engine::get_drift_alerts(severity min_level, size_t limit) {
  ml_query q;
  q.kind = ml_view_kind::alerts;
  q.min_level = min_level;
  q.limit = limit;
  auto v = ml(std::move(q));
  if (!v)
    return std::move(v.error());
  return std::move(v->alerts);
}

caf::expected<std::string>
engine::get_model_performance_history(const std::string& model_id,
                                      size_t limit) {
  ml_query q;
  q.kind = ml_view_kind::performance;
  q.model_id = model_id;
  q.limit = limit;
  auto v = ml(std::move(q));
  if (!v)
    return std::move(v.error());
  return std::move(v->body);
}

caf::error
engine::on_ml_events(std::function<void(const drift_alert&)> on_alert,
                     std::function<void(const retrain_requested&)> on_retrain) {
  return subscribe_listener(
    ml_monitor_key, caf::behavior{[on_alert](const drift_alert& a) {
                                    if (on_alert)
                                      on_alert(a);
                                  },
                                  [on_retrain](const retrain_requested& r) {
                                    if (on_retrain)
                                      on_retrain(r);
                                  }});
}

caf::expected<tracking_view>
engine::tracking(tracking_query query, std::chrono::milliseconds timeout) {
  if (query.hdr.corr.empty())
    query.hdr.corr = client_.new_correlation_id();
  auto corr = correlation_id::parse(query.id);
  bool one_path = query.kind == tracking_view_kind::decisions && corr;
  auto view = ask<tracking_view>(tracker_key, timeout, std::move(query));
  if (!view || !one_path)
    return view;
  // A decision path leads to its trace: the spans the tracer holds for the
  // same correlation id (none if it holds none, or is off).
  size_t spans = 0;
  if (auto t = trace(*corr, timeout))
    spans = t->spans.size();
  auto body = nlohmann::json::parse(view->body);
  body["trace"]["spans"] = spans;
  view->body = dump_json(body);
  return view;
}

caf::error engine::on_tracking_events(
  std::function<void(const regime_changed&)> on_regime,
  std::function<void(const feature_rank_changed&)> on_rank,
  std::function<void(const tracking_view&)> on_view) {
  return subscribe_listener(
    tracker_key, caf::behavior{[on_regime](const regime_changed& x) {
                                 if (on_regime)
                                   on_regime(x);
                               },
                               [on_rank](const feature_rank_changed& x) {
                                 if (on_rank)
                                   on_rank(x);
                               },
                               [on_view](const tracking_view& x) {
                                 if (on_view)
                                   on_view(x);
                               }});
}

caf::expected<trace_exported> engine::trace(const correlation_id& corr,
                                            std::chrono::milliseconds timeout) {
  return ask<trace_exported>(tracer_key, timeout, atom::lookup_v, corr);
}

caf::expected<report_generated>
engine::generate_report(report_requested req,
                        std::chrono::milliseconds timeout) {
  if (req.hdr.corr.empty())
    req.hdr.corr = client_.new_correlation_id();
  return ask<report_generated>(report_scheduler_key, timeout, std::move(req));
}

caf::expected<std::string>
engine::report_schedule(std::chrono::milliseconds timeout) {
  return ask<std::string>(report_scheduler_key, timeout, atom::lookup_v);
}

caf::expected<std::string>
engine::add_report_config(const std::string& name,
                          const std::string& definition,
                          std::chrono::milliseconds timeout) {
  return ask<std::string>(report_scheduler_key, timeout, atom::put_v, name,
                          definition);
}

caf::expected<std::string>
engine::add_report_config(const std::string& name,
                          const config::report_definition& definition) {
  return add_report_config(name,
                           dump_json(report_scheduler::to_json(definition)));
}

caf::expected<flush_ack> engine::flush(std::chrono::milliseconds timeout) {
  if (!running())
    return caf::make_error(ec::component_down, "engine is not running");
  caf::scoped_actor self{*system_};
  caf::expected<flush_ack> result{caf::make_error(ec::timeout)};
  message_header hdr{client_.new_correlation_id(), 0};
  self->request(dispatcher_, timeout, atom::flush_v, hdr)
    .receive(
      [&](flush_ack& ack) {
        result = std::move(ack);
      },
      [&](caf::error& err) {
        result = std::move(err);
      });
  return result;
}

caf::expected<integration_status>
engine::status(std::chrono::milliseconds timeout) {
  if (!running())
    return caf::make_error(ec::component_down, "engine is not running");
  caf::scoped_actor self{*system_};
  caf::expected<integration_status> result{caf::make_error(ec::timeout)};
  message_header hdr{client_.new_correlation_id(), 0};
  self->request(supervisor_, timeout, atom::status_v, hdr)
    .receive(
      [&](integration_status& x) {
        result = std::move(x);
      },
      [&](caf::error& err) {
        result = std::move(err);
      });
  if (result) {
    result->counters = client_.counter_map();
    if (gateway_)
      for (const auto& [key, value] : gateway_->counters())
        result->counters["gateway_" + key] = value;
  }
  return result;
}

bool engine::running() const {
  if (!started_ || stopped_)
    return false;
  std::lock_guard<std::mutex> guard{termination_->mtx};
  return !termination_->done;
}

std::optional<caf::error>
engine::wait_for_termination(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> guard{termination_->mtx};
  if (!termination_->cv.wait_for(guard, timeout, [&] {
        return termination_->done;
      }))
    return std::nullopt;
  return termination_->reason;
}

void engine::publish_live() {
  auto& hub = gateway_->live();
  auto interval = cfg_.metrics_dashboard.update_interval;
  std::optional<integration_status> before;
  std::unique_lock<std::mutex> lock{publisher_mtx_};
  gateway::live_meters meters{client_};
  auto step = [&] {
    meters.sample(gateway_->counters());
    if (auto now = status(interval)) {
      gateway::live::publish(hub, *now, before);
      before = std::move(*now);
    }
  };
  lock.unlock();
  step();
  lock.lock();
  while (!publisher_cv_.wait_for(lock, interval, [this] {
    return publisher_stop_;
  })) {
    lock.unlock();
    step();
    lock.lock();
  }
}

caf::error engine::stop() {
  if (!started_ || stopped_)
    return caf::none;
  {
    std::lock_guard<std::mutex> guard{publisher_mtx_};
    publisher_stop_ = true;
  }
  publisher_cv_.notify_all();
  if (publisher_.joinable())
    publisher_.join();
  if (live_listener_) {
    // It publishes into the gateway's hub: gone before the gateway is.
    caf::scoped_actor self{*system_};
    self->send_exit(live_listener_, caf::exit_reason::user_shutdown);
    self->wait_for(live_listener_);
    live_listener_ = nullptr;
  }
  if (gateway_) {
    gateway_->stop();
    gateway_.reset();
  }
  ingress_->accepting.store(false, std::memory_order_release);
  caf::error result;
  {
    caf::scoped_actor self{*system_};
    bool supervisor_alive;
    {
      std::lock_guard<std::mutex> guard{termination_->mtx};
      supervisor_alive = !termination_->done;
    }
    if (supervisor_alive) {
      // Hand over what the client queue still holds, then stop in order.
      message_header hdr{client_.new_correlation_id(), 0};
      self
        ->request(dispatcher_, cfg_.monitoring_integration.shutdown_timeout,
                  atom::flush_v, hdr)
        .receive([](flush_ack&) {},
                 [&](caf::error& err) {
                   result = err;
                 });
      self
        ->request(supervisor_, cfg_.monitoring_integration.shutdown_timeout,
                  atom::stop_v, hdr)
        .receive([](flush_ack&) {},
                 [&](caf::error& err) {
                   if (!result)
                     result = err;
                 });
    }
    self->send_exit(dispatcher_, caf::exit_reason::user_shutdown);
    for (const auto& l : snapshot_listeners_)
      self->send_exit(l, caf::exit_reason::user_shutdown);
    snapshot_listeners_.clear();
  }
  system_->await_all_actors_done();
  stopped_ = true;
  // Nobody drains spans or reads metric cells any more: what the bot's
  // threads record from now on is a counted no-op.
  ingress_->closed.store(true, std::memory_order_release);
  if (ingress_->spans)
    ingress_->spans->close();
  // A producer that passed the `accepting` check just before it turned false
  // may have queued an event after the last drain: count it, do not hide it.
  inbound_event leftover;
  uint64_t abandoned = 0;
  while (ingress_->queue.try_pop(leftover))
    ++abandoned;
  if (abandoned > 0) {
    ingress_->abandoned_at_stop.fetch_add(abandoned);
    log_->warn("events-abandoned count={} reason=accepted while stopping",
               abandoned);
  }
  auto reason = wait_for_termination(std::chrono::milliseconds{0});
  if (reason && *reason && *reason != caf::exit_reason::user_shutdown
      && !result)
    result = *reason;
  if (result)
    log_->warn("engine-stopped error={}", system_->render(result));
  else
    log_->info("engine-stopped");
  return result;
}

} // namespace argus
