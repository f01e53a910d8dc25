#include "actors/supervisor/supervisor.hpp"

#include "messages/time.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>

namespace argus {

namespace {

/// How long the supervisor waits for one component to answer a request.
constexpr auto component_timeout = std::chrono::seconds{30};

using self_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

using ack_handler = std::function<void(caf::expected<flush_ack>)>;

/// Tells the dispatcher, `id` itself and every running component that
/// depends on it where the components run now.
void announce(self_ptr self, const std::string& id) {
  auto& st = self->state;
  self->send(st.dispatcher, atom::route_v, st.directory);
  if (auto entry = st.find(id); entry && entry->handles.route)
    self->send(entry->handles.route, atom::route_v, st.directory);
  for (auto* dependent : st.dependents(id))
    if (dependent->handles.route)
      self->send(dependent->handles.route, atom::route_v, st.directory);
}

/// (Re)spawns the component of `entry` and tells others about it.
void spawn_component(self_ptr self, component_entry& entry) {
  auto& st = self->state;
  component_context ctx{self->system(),
                        st.cfg,
                        st.directory,
                        st.loggers(entry.id()),
                        entry.restarts,
                        entry.spec.dedicated_thread
                          && st.cfg.runtime.dedicated_threads};
  entry.handles = entry.spec.spawn(ctx);
  st.directory.put(entry.id(), entry.handles.actor);
  self->monitor(entry.handles.actor);
  st.live_children->insert(entry.handles.actor);
  entry.state = component_state::running;
  entry.started_at_ns = wall_clock_ns();
  ++entry.generation;
  st.log->info("component-started id={} generation={}", entry.id(),
               entry.generation);
  announce(self, entry.id());
  for (const auto& s : entry.subscribers)
    caf::anon_send(entry.handles.actor, atom::subscribe_v, s);
}

/// Forgets a subscriber that terminated, wherever it was subscribed.
void forget_subscriber(self_ptr self, const caf::actor_addr& who) {
  for (auto& c : self->state.components) {
    auto& subs = c.subscribers;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const caf::actor& a) {
                                return a.address() == who;
                              }),
               subs.end());
  }
}

/// Asks `(*chain)[i..]` one after another with `(atom, hdr)`; delivers the
/// last ack, or the first error (after asking the rest, if `keep_going`).
template <class Handle, class Atom>
void ask_in_turn(self_ptr self, std::shared_ptr<std::vector<Handle>> chain,
                 size_t i, Atom atom, message_header hdr, bool keep_going,
                 caf::expected<flush_ack> last, ack_handler done) {
  if (i == chain->size() || (!last && !keep_going)) {
    done(std::move(last));
    return;
  }
  auto next = [=](caf::expected<flush_ack> result) {
    if (!last)
      result = last; // the first error wins
    ask_in_turn(self, chain, i + 1, atom, hdr, keep_going, std::move(result),
                done);
  };
  self->request((*chain)[i], component_timeout, atom, hdr)
    .then(
      [=](flush_ack& ack) {
        next(std::move(ack));
      },
      [=](caf::error& err) {
        next(std::move(err));
      });
}

/// The handles `pick` returns of the running components, in reverse
/// dependency order: those that feed storage first, storage last.
template <class Pick>
auto running_in_reverse(self_ptr self, Pick pick) {
  using handle = std::decay_t<decltype(pick(self->state.components.front()))>;
  auto result = std::make_shared<std::vector<handle>>();
  auto& comps = self->state.components;
  for (auto i = comps.rbegin(); i != comps.rend(); ++i)
    if (i->state == component_state::running && pick(*i))
      result->push_back(pick(*i));
  return result;
}

/// Flushes every running component, storage last, so its commit covers
/// everyone's rows.
void flush_all(self_ptr self, const message_header& hdr, ack_handler done) {
  auto chain = running_in_reverse(self, [](const component_entry& e) {
    return e.handles.flush;
  });
  ask_in_turn(self, chain, 0, atom::flush_v, hdr, false,
              flush_ack{make_header<flush_ack>(hdr.corr), 0}, std::move(done));
}

/// Flushes, then stops every component in reverse dependency order; first
/// those with work to finish before the final flush (the dashboard
/// persists its open windows) finish it.
void stop_all(self_ptr self, const message_header& hdr,
              caf::typed_response_promise<flush_ack> rp,
              caf::error quit_reason) {
  auto& st = self->state;
  if (st.stopping)
    return;
  if (!st.final_stops_done) {
    st.final_stops_done = true;
    auto chain = running_in_reverse(self, [](const component_entry& e) {
      return e.handles.stop;
    });
    // Their errors do not hold up the stop: the flush below reports what
    // storage could not commit.
    ask_in_turn(self, chain, 0, atom::stop_v, hdr, true,
                flush_ack{make_header<flush_ack>(hdr.corr), 0},
                [=](caf::expected<flush_ack>) {
                  stop_all(self, hdr, rp, quit_reason);
                });
    return;
  }
  flush_all(self, hdr, [=](caf::expected<flush_ack> result) mutable {
    auto& st = self->state;
    st.stopping = true;
    for (auto i = st.components.rbegin(); i != st.components.rend(); ++i) {
      if (i->handles) {
        self->send_exit(i->handles.actor, caf::exit_reason::user_shutdown);
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
    return forget_subscriber(self, dm.source);
  st.live_children->erase(entry->handles.actor);
  entry->handles = spawned_component{};
  st.directory.erase(entry->id());
  // Those who route to it or depend on it learn that it is gone (its
  // events are then counted as unrouted), unless everything is stopping.
  if (!st.stopping)
    announce(self, entry->id());
  auto clean = !dm.reason || dm.reason == caf::exit_reason::user_shutdown;
  if (st.stopping || clean) {
    entry->state = component_state::stopped;
    return;
  }
  entry->last_error = self->system().render(dm.reason);
  st.crashed_since_flush.push_back(entry->id());
  st.log->error("component-crashed id={} reason={}", entry->id(),
                entry->last_error);
  if (entry->spec.core) {
    // Without a core component (the storage writer) nothing can be
    // acknowledged. Bring up a fresh one so the others can flush into it,
    // then stop everything in order and report the crash.
    ++entry->restarts;
    spawn_component(self, *entry);
    auto reason = caf::make_error(ec::component_down,
                                  entry->id() + " crashed: " + entry->last_error
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
                     entry->id(), entry->restarts);
    return;
  }
  entry->state = component_state::restarting;
  self->delayed_send(self, *delay, atom::restart_v, entry->id(),
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
    if (comps[i].state != component_state::running || !comps[i].handles) {
      done();
      continue;
    }
    self
      ->request(comps[i].handles.status, component_timeout, atom::status_v, hdr)
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

component_status component_entry::status(const message_header& hdr) const {
  component_status result;
  result.hdr = make_header<component_status>(hdr.corr);
  result.id = id();
  result.state = state;
  result.started_at_ns = started_at_ns;
  result.restarts = restarts;
  result.last_error = last_error;
  return result;
}

component_entry* supervisor_state::find(const caf::actor_addr& addr) {
  for (auto& c : components)
    if (c.handles && c.handles.actor.address() == addr)
      return &c;
  return nullptr;
}

component_entry* supervisor_state::find(const std::string& id) {
  for (auto& c : components)
    if (c.id() == id)
      return &c;
  return nullptr;
}

std::vector<component_entry*>
supervisor_state::dependents(const std::string& id) {
  std::vector<component_entry*> result;
  for (auto& c : components)
    for (const auto& dep : c.spec.depends_on)
      if (dep == id && c.handles)
        result.push_back(&c);
  return result;
}

supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           config::engine_config cfg, dispatcher_actor dispatcher,
           component_plan plan, logger_factory loggers) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.loggers = std::move(loggers);
  st.log = st.loggers(supervisor_state::name);
  st.dispatcher = std::move(dispatcher);
  st.directory.put(supervisor_key, caf::actor_cast<supervisor_actor>(self));
  const auto& sc = st.cfg.monitoring_integration;
  for (auto& spec : plan) {
    component_entry e;
    e.spec = std::move(spec);
    e.policy
      = restart_policy{sc.max_restarts, sc.restart_window,
                       sc.restart_backoff_initial, sc.restart_backoff_max};
    st.components.push_back(std::move(e));
  }
  // The dispatcher learns where the supervisor is even if nothing runs.
  self->send(st.dispatcher, atom::route_v, st.directory);
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
    [=](atom::lookup) {
      return self->state.directory;
    },
    [=](atom::restart, const std::string& id, uint64_t generation) {
      auto c = self->state.find(id);
      if (!c || c->generation != generation || self->state.stopping
          || c->state != component_state::restarting)
        return;
      ++c->restarts;
      spawn_component(self, *c);
    },
    [=](atom::subscribe, const std::string& id, caf::actor& listener) {
      auto c = self->state.find(id);
      if (!c || !listener)
        return false;
      self->monitor(listener);
      if (c->handles.actor)
        caf::anon_send(c->handles.actor, atom::subscribe_v, listener);
      c->subscribers.push_back(std::move(listener));
      return true;
    },
  };
}

} // namespace argus
