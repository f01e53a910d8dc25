#pragma once

// Components that push events to subscribers (the dashboard's snapshots,
// the ML monitor's alerts): a subscriber is watched and forgotten when it
// terminates, so a bot that goes away leaves nothing behind.

#include <caf/actor.hpp>
#include <caf/system_messages.hpp>

#include <algorithm>
#include <vector>

namespace argus {

/// Adds `subscriber` to `self->state.subscribers` and watches it.
template <class Self>
void add_subscriber(Self* self, caf::actor subscriber) {
  self->monitor(subscriber);
  self->state.subscribers.push_back(std::move(subscriber));
}

/// Makes `self` forget subscribers that terminate.
template <class Self>
void forget_subscribers_when_down(Self* self) {
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& subs = self->state.subscribers;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const caf::actor& a) {
                                return a.address() == dm.source;
                              }),
               subs.end());
  });
}

} // namespace argus
