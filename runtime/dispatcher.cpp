#include "runtime/dispatcher.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace argus::runtime {

namespace {

template <class... Fs>
struct overload : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overload(Fs...) -> overload<Fs...>;

} // namespace

dispatcher_actor::behavior_type
dispatcher(dispatcher_actor::stateful_pointer<dispatcher_state> self,
           std::shared_ptr<detail::ingress> core) {
  self->state.core = std::move(core);
  auto route = [self](inbound_event& event) {
    auto& st = self->state;
    auto to_tracker = [&](auto& e) {
      if (!st.tracker)
        return false;
      self->send(st.tracker, std::move(e));
      return true;
    };
    auto routed = std::visit(
      overload{
        [&](ensemble_recorded& e) {
          return to_tracker(e);
        },
        [&](regime_recorded& e) {
          return to_tracker(e);
        },
        [&](decision_step_recorded& e) {
          return to_tracker(e);
        },
        [&](model_behavior_recorded& e) {
          return to_tracker(e);
        },
        // Components for the other events arrive with their issues; until
        // then such events are counted, not silently lost.
        [&](auto&) {
          return false;
        },
      },
      event);
    (routed ? st.core->dispatched : st.core->unrouted)
      .fetch_add(1, std::memory_order_relaxed);
  };
  return {
    [=](atom::drain) {
      auto& st = self->state;
      st.core->drain_scheduled.store(false, std::memory_order_release);
      if (st.drain(dispatcher_batch, route)) {
        st.core->drain_scheduled.store(true, std::memory_order_release);
        self->send(self, atom::drain_v);
      }
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      auto& st = self->state;
      // Everything accepted before the flush must be handed on first. The
      // bound keeps a producer that never stops from holding the flush.
      auto rounds = st.core->queue.capacity() / dispatcher_batch + 2;
      while (rounds-- > 0 && st.drain(dispatcher_batch, route)) {
        // keep draining
      }
      if (!st.supervisor)
        return caf::make_error(ec::component_down, "engine not started");
      return self->delegate(st.supervisor, atom::flush_v, hdr);
    },
    [=](atom::route, tracker_actor& x) {
      self->state.tracker = std::move(x);
    },
    [=](atom::route, supervisor_actor& x) {
      self->state.supervisor = std::move(x);
    },
  };
}

} // namespace argus::runtime
