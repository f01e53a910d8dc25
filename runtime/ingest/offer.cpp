#include "runtime/ingest/offer.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <variant>

namespace argus::runtime {

void mint_correlation_if_missing(client& c, inbound_event& event) {
  std::visit(
    [&](auto& e) {
      if (e.hdr.corr.empty())
        e.hdr.corr = c.new_correlation_id();
    },
    event);
}

client::offer_result offer_until_taken(client& c, inbound_event& event,
                                       const std::function<bool()>& give_up) {
  auto wait = std::chrono::microseconds{20};
  for (;;) {
    auto r = c.offer(event);
    if (r != client::offer_result::queue_full || give_up())
      return r;
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::microseconds{2000});
  }
}

} // namespace argus::runtime
