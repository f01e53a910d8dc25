#include "actors/supervisor.hpp"

#include "actors/correlation_manager.hpp"
#include "actors/tracer.hpp"
#include "actors/tracker.hpp"
#include "messages/time.hpp"
#include "storage/schema.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>

namespace argus {

namespace {

using namespace std::chrono_literals;

/// How long the supervisor waits for one component to answer a request.
constexpr auto component_timeout = std::chrono::seconds{30};

using self_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

bool tracker_enabled(const config::tracker_config& t) {
  return t.enable_correlation_tracking || t.enable_ensemble_tracking
         || t.enable_regime_tracking || t.enable_decision_path_tracking;
}

/// Spawns `f(xs...)` on a thread of its own when `dedicated`, else on the
/// shared pool.
template <class F, class... Ts>
auto spawn_on(self_ptr self, bool dedicated, F f, Ts&&... xs) {
  return dedicated ? self->spawn<caf::detached>(f, std::forward<Ts>(xs)...)
                   : self->spawn(f, std::forward<Ts>(xs)...);
}

/// (Re)spawns the component of `entry` and tells others about it.
void spawn_component(self_ptr self, component_entry& entry) {
  auto& st = self->state;
  if (entry.id == storage::storage_writer_state::name) {
    // Detached (its own thread): a COMMIT blocks on the disk for tens of
    // ms, and on the shared pool that stalls the tracer draining the bot's
    // span buffers (notes/caf-0.17.md: blocking handlers starve the pool).
    st.storage = spawn_on(
      self, st.cfg.runtime.dedicated_threads, storage::storage_writer,
      make_storage_writer_config(st.cfg.storage), st.loggers(entry.id));
    entry.handle = caf::actor_cast<caf::strong_actor_ptr>(st.storage);
    if (st.tracker)
      self->send(st.tracker, atom::route_v, st.storage);
    if (st.tracer)
      self->send(st.tracer, atom::route_v, st.storage);
    if (st.correlations)
      self->send(st.correlations, atom::route_v, st.storage);
    if (st.dashboard)
      self->send(st.dashboard, atom::route_v, st.storage);
    if (st.ml)
      self->send(st.ml, atom::route_v, st.storage);
  } else if (entry.id == correlation_manager_state::name) {
    st.correlations
      = self->spawn(correlation_manager, st.cfg.correlation_manager, st.storage,
                    st.loggers(entry.id));
    entry.handle = caf::actor_cast<caf::strong_actor_ptr>(st.correlations);
    self->send(st.dispatcher, atom::route_v, st.correlations);
    if (st.tracer)
      self->send(st.tracer, atom::route_v, st.correlations);
  } else if (entry.id == tracer_state::name) {
    // Detached as well: the bot's span buffers hold a few ms of spans at
    // 1M spans/s, so their consumer must not wait behind other actors for
    // a pool thread.
    st.tracer = spawn_on(self, st.cfg.runtime.dedicated_threads, tracer,
                         st.cfg.advanced_tracer, st.spans, st.storage,
                         st.loggers(entry.id));
    entry.handle = caf::actor_cast<caf::strong_actor_ptr>(st.tracer);
    self->send(st.dispatcher, atom::route_v, st.tracer);
    if (st.correlations)
      self->send(st.tracer, atom::route_v, st.correlations);
  } else if (entry.id == tracker_state::name) {
    st.tracker = self->spawn(tracker, st.cfg.tracking_system, st.storage,
                             st.loggers(entry.id));
    entry.handle = caf::actor_cast<caf::strong_actor_ptr>(st.tracker);
    self->send(st.dispatcher, atom::route_v, st.tracker);
    if (st.ml)
      self->send(st.ml, atom::route_v, st.tracker);
  } else if (entry.id == ml_monitor_state::name) {
    st.ml = self->spawn(ml_monitor, st.cfg.ml_monitor, st.storage,
                        st.loggers(entry.id));
    entry.handle = caf::actor_cast<caf::strong_actor_ptr>(st.ml);
    self->send(st.dispatcher, atom::route_v, st.ml);
    if (st.tracker)
      self->send(st.ml, atom::route_v, st.tracker);
  } else if (entry.id == metrics_dashboard_state::name) {
    auto sources = st.metrics;
    sources.resume = entry.restarts > 0;
    st.dashboard
      = self->spawn(metrics_dashboard, st.cfg.metrics_dashboard,
                    std::move(sources), st.storage, st.loggers(entry.id));
    entry.handle = caf::actor_cast<caf::strong_actor_ptr>(st.dashboard);
    self->send(st.dispatcher, atom::route_v, st.dashboard);
    self->send(st.dashboard, atom::route_v,
               caf::actor_cast<supervisor_actor>(self));
  }
  auto child = caf::actor_cast<caf::actor>(entry.handle);
  self->monitor(child);
  st.live_children->insert(child);
  entry.state = component_state::running;
  entry.started_at_ns = wall_clock_ns();
  ++entry.generation;
  st.log->info("component-started id={} generation={}", entry.id,
               entry.generation);
}

/// Flushes `chain[i..]` one after another; delivers the last ack or the
/// first error.
void flush_chain(self_ptr self,
                 std::shared_ptr<std::vector<flushable_actor>> chain, size_t i,
                 message_header hdr, uint64_t committed,
                 std::function<void(caf::expected<flush_ack>)> done) {
  if (i == chain->size()) {
    done(flush_ack{make_header<flush_ack>(hdr.corr), committed});
    return;
  }
  self->request((*chain)[i], component_timeout, atom::flush_v, hdr)
    .then(
      [=](flush_ack& ack) {
        flush_chain(self, chain, i + 1, hdr, ack.committed_rows, done);
      },
      [=](caf::error& err) {
        done(std::move(err));
      });
}

/// Flushes every running component in dependency order, storage last.
void flush_all(self_ptr self, const message_header& hdr,
               std::function<void(caf::expected<flush_ack>)> done) {
  auto& st = self->state;
  auto chain = std::make_shared<std::vector<flushable_actor>>();
  // Components that feed storage first (reverse dependency order), storage
  // last, so its commit covers their rows.
  for (auto i = st.components.rbegin(); i != st.components.rend(); ++i)
    if (i->state == component_state::running && i->handle)
      chain->push_back(caf::actor_cast<flushable_actor>(i->handle));
  flush_chain(self, chain, 0, hdr, 0, std::move(done));
}

/// Flushes, then stops every component in reverse dependency order.
void stop_all(self_ptr self, const message_header& hdr,
              caf::typed_response_promise<flush_ack> rp,
              caf::error quit_reason) {
  auto& st = self->state;
  if (st.stopping)
    return;
  auto dashboard = st.find(metrics_dashboard_state::name);
  if (dashboard && dashboard->state == component_state::running
      && dashboard->handle && !st.stopping_dashboard) {
    // The dashboard persists its open windows first; then everyone flushes.
    st.stopping_dashboard = true;
    self
      ->request(caf::actor_cast<metrics_dashboard_actor>(dashboard->handle),
                component_timeout, atom::stop_v, hdr)
      .then(
        [=](flush_ack&) {
          stop_all(self, hdr, rp, quit_reason);
        },
        [=](caf::error&) {
          stop_all(self, hdr, rp, quit_reason);
        });
    return;
  }
  flush_all(self, hdr, [=](caf::expected<flush_ack> result) mutable {
    auto& st = self->state;
    st.stopping = true;
    for (auto i = st.components.rbegin(); i != st.components.rend(); ++i) {
      if (i->handle) {
        self->send_exit(caf::actor_cast<caf::actor>(i->handle),
                        caf::exit_reason::user_shutdown);
        i->state = component_state::stopped;
      }
    }
    st.log->info("engine-stopped flushed={}", static_cast<bool>(result));
    if (rp.pending()) {
      if (result)
        rp.deliver(*result);
      else
        rp.deliver(result.error());
    }
    self->quit(quit_reason);
  });
}

/// A component terminated.
void on_down(self_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto entry = st.find(dm.source);
  if (!entry)
    return;
  st.live_children->erase(caf::actor_cast<caf::actor>(entry->handle));
  entry->handle = nullptr;
  auto clean = !dm.reason || dm.reason == caf::exit_reason::user_shutdown;
  if (st.stopping || clean) {
    entry->state = component_state::stopped;
    return;
  }
  entry->last_error = self->system().render(dm.reason);
  st.crashed_since_flush.push_back(entry->id);
  st.log->error("component-crashed id={} reason={}", entry->id,
                entry->last_error);
  if (entry->core) {
    // The storage writer is the engine's memory: without it nothing can be
    // acknowledged. Bring up a fresh writer so the others can flush into
    // it, then stop everything in order and report the crash.
    ++entry->restarts;
    spawn_component(self, *entry);
    auto reason = caf::make_error(ec::component_down,
                                  entry->id + " crashed: " + entry->last_error
                                    + "; engine stopped");
    stop_all(self, message_header{}, caf::typed_response_promise<flush_ack>{},
             reason);
    return;
  }
  auto delay = entry->policy.on_crash(self->clock().now());
  if (!delay) {
    entry->state = component_state::failed;
    st.log->critical("component-failed id={} restarts={} reason=restart "
                     "limit reached",
                     entry->id, entry->restarts);
    return;
  }
  entry->state = component_state::restarting;
  self->delayed_send(self, *delay, atom::restart_v, entry->id,
                     entry->generation);
}

/// Asks every running component for its status and merges what the
/// supervisor knows (lifecycle) with what each component reports (health,
/// counters).
caf::typed_response_promise<integration_status>
collect_status(self_ptr self, const message_header& hdr) {
  auto rp = self->make_response_promise<integration_status>();
  auto acc = std::make_shared<integration_status>();
  acc->hdr = make_header<integration_status>(hdr.corr);
  acc->time_ns = wall_clock_ns();
  auto& comps = self->state.components;
  auto remaining = std::make_shared<size_t>(comps.size());
  for (const auto& c : comps)
    acc->components.push_back(c.status(hdr));
  auto done = [=]() mutable {
    if (--*remaining == 0)
      rp.deliver(*acc);
  };
  if (comps.empty())
    rp.deliver(*acc);
  for (size_t i = 0; i < comps.size(); ++i) {
    if (comps[i].state != component_state::running || !comps[i].handle) {
      done();
      continue;
    }
    auto handle = caf::actor_cast<status_client_actor>(comps[i].handle);
    self->request(handle, component_timeout, atom::status_v, hdr)
      .then(
        [=](component_status& cs) mutable {
          auto& slot = acc->components[i];
          // The supervisor owns lifecycle facts; the component its
          // counters and health.
          cs.restarts = slot.restarts;
          if (cs.last_error.empty())
            cs.last_error = slot.last_error;
          slot = std::move(cs);
          done();
        },
        [=](caf::error& err) mutable {
          acc->components[i].state = component_state::degraded;
          acc->components[i].last_error = self->system().render(err);
          done();
        });
  }
  return rp;
}

/// Flushes everything; a crash since the previous flush turns the ack into
/// an error, because events sent before it may be lost.
caf::typed_response_promise<flush_ack> flush_engine(self_ptr self,
                                                    const message_header& hdr) {
  auto rp = self->make_response_promise<flush_ack>();
  flush_all(self, hdr, [=](caf::expected<flush_ack> result) mutable {
    auto& crashed = self->state.crashed_since_flush;
    if (result && !crashed.empty()) {
      std::string names;
      for (const auto& id : crashed)
        names += (names.empty() ? "" : ", ") + id;
      crashed.clear();
      rp.deliver(caf::make_error(
        ec::component_down, "crashed since the previous flush: " + names
                              + "; events sent before this flush may be lost"));
      return;
    }
    if (result)
      rp.deliver(*result);
    else
      rp.deliver(result.error());
  });
  return rp;
}

} // namespace

storage::storage_writer_config
make_storage_writer_config(const config::storage_config& cfg) {
  storage::storage_writer_config result;
  result.db.path = cfg.path;
  result.db.synchronous_full = cfg.synchronous == config::sync_mode::full;
  result.db.busy_timeout = cfg.busy_timeout;
  result.db.max_size_bytes = cfg.max_size_mb * 1024 * 1024;
  result.batch_max_rows = cfg.batch_max_rows;
  result.batch_interval = cfg.batch_interval;
  result.max_pending_rows = cfg.max_pending_rows;
  result.retention_interval = cfg.retention_interval;
  result.retention_batch_rows = cfg.retention_batch_rows;
  for (const auto& [name, age] : cfg.retention)
    for (const auto& t : storage::all_tables())
      if (name == t.name)
        result.retention[t.id] = age;
  return result;
}

component_status component_entry::status(const message_header& hdr) const {
  component_status result;
  result.hdr = make_header<component_status>(hdr.corr);
  result.id = id;
  result.state = state;
  result.started_at_ns = started_at_ns;
  result.restarts = restarts;
  result.last_error = last_error;
  return result;
}

component_entry* supervisor_state::find(const caf::actor_addr& addr) {
  for (auto& c : components)
    if (c.handle && c.handle->address() == addr)
      return &c;
  return nullptr;
}

component_entry* supervisor_state::find(const std::string& id) {
  for (auto& c : components)
    if (c.id == id)
      return &c;
  return nullptr;
}

supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           config::engine_config cfg, dispatcher_actor dispatcher,
           std::shared_ptr<span_buffers> spans,
           metrics_dashboard_sources metrics, logger_factory loggers) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.loggers = std::move(loggers);
  st.log = st.loggers(supervisor_state::name);
  st.dispatcher = std::move(dispatcher);
  st.spans = std::move(spans);
  st.metrics = std::move(metrics);
  const auto& sc = st.cfg.monitoring_integration;
  auto entry = [&](const char* id, bool core) {
    component_entry e;
    e.id = id;
    e.core = core;
    e.policy
      = restart_policy{sc.max_restarts, sc.restart_window,
                       sc.restart_backoff_initial, sc.restart_backoff_max};
    return e;
  };
  if (st.cfg.enabled) {
    st.components.push_back(entry(storage::storage_writer_state::name, true));
    if (st.cfg.correlation_manager.enable_correlation_tracking)
      st.components.push_back(entry(correlation_manager_state::name, false));
    if (st.cfg.advanced_tracer.enable_tracing && st.spans)
      st.components.push_back(entry(tracer_state::name, false));
    if (tracker_enabled(st.cfg.tracking_system))
      st.components.push_back(entry(tracker_state::name, false));
    st.components.push_back(entry(ml_monitor_state::name, false));
    if (st.metrics.registry)
      st.components.push_back(entry(metrics_dashboard_state::name, false));
  }
  for (auto& c : st.components)
    spawn_component(self, c);
  self->set_down_handler([=](caf::down_msg& dm) {
    on_down(self, dm);
  });
  // No component may outlive its supervisor, whatever ends it: an orphan
  // would keep the actor system from shutting down. (Links would do this
  // too, but a child killed with `exit_reason::kill` would then take the
  // supervisor down with it.)
  self->attach_functor([children = st.live_children](const caf::error&) {
    for (const auto& child : *children)
      caf::anon_send_exit(child, caf::exit_reason::user_shutdown);
  });
  return {
    [=](atom::status,
        const message_header& hdr) -> caf::result<integration_status> {
      return collect_status(self, hdr);
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      return flush_engine(self, hdr);
    },
    [=](atom::stop, const message_header& hdr) -> caf::result<flush_ack> {
      auto rp = self->make_response_promise<flush_ack>();
      if (self->state.stopping) {
        rp.deliver(caf::make_error(ec::shutting_down, "already stopping"));
        return rp;
      }
      stop_all(self, hdr, rp, caf::exit_reason::user_shutdown);
      return rp;
    },
    [=](atom::lookup, const std::string& id) -> caf::strong_actor_ptr {
      if (auto c = self->state.find(id))
        return c->handle;
      return nullptr;
    },
    [=](atom::restart, const std::string& id, uint64_t generation) {
      auto c = self->state.find(id);
      if (!c || c->generation != generation || self->state.stopping
          || c->state != component_state::restarting)
        return;
      ++c->restarts;
      spawn_component(self, *c);
    },
  };
}

} // namespace argus
