#include "runtime/ingest/wire_session.hpp"

#include "messages/admission.hpp"
#include "runtime/ingest/offer.hpp"

#include <utility>

namespace argus::runtime {

wire_session::wire_session(engine& eng, answer_fn answer)
    : eng_(eng), answer_(std::move(answer)), log_(eng.logs().get("ingest")) {
}

bool wire_session::offer_until_taken(inbound_event& event,
                                     const std::atomic<bool>& stop) {
  // A full client queue stops the reading (the sender's writes then block)
  // instead of dropping events a later flush would claim.
  return runtime::offer_until_taken(eng_.client(), event,
                                    [&stop] {
                                      return stop.load();
                                    })
         == client::offer_result::accepted;
}

void wire_session::answer_flush(const correlation_id& corr) {
  auto ack = eng_.flush();
  if (ack)
    answer_("ack " + corr.str()
            + " committed=" + std::to_string(ack->committed_rows));
  else
    answer_("nack " + corr.str() + " " + eng_.system().render(ack.error()));
}

bool wire_session::feed(std::string_view bytes, const std::atomic<bool>& stop) {
  if (finished_ || decoder_.failed())
    return false;
  decoder_.append(bytes);
  while (auto item = decoder_.next()) {
    // Every frame read so far, refused ones included: the number a
    // `reject` names.
    auto frame = decoder_.frames_accepted() + decoder_.frames_rejected();
    caf::error rejected;
    if (*item) {
      rejected = admit(**item);
      refused_ += rejected ? 1 : 0;
    } else {
      rejected = std::move(item->error());
    }
    if (rejected) {
      auto why = eng_.system().render(rejected);
      log_->warn("ingest-rejected frame={} error={}", frame, why);
      answer_("reject " + std::to_string(frame) + " " + why);
      if (decoder_.failed())
        return false;
      continue;
    }
    auto& event = **item;
    mint_correlation_if_missing(eng_.client(), event);
    if (auto flush = std::get_if<flush_requested>(&event)) {
      answer_flush(flush->hdr.corr);
      continue;
    }
    if (!offer_until_taken(event, stop)) {
      if (!stop.load())
        answer_("ingest stopped: the engine no longer accepts events");
      return false;
    }
  }
  return true;
}

void wire_session::finish() {
  if (std::exchange(finished_, true))
    return;
  auto line = std::string{"ingest "} + (decoder_.failed() ? "closed" : "eof")
              + " accepted=" + std::to_string(frames_accepted())
              + " rejected=" + std::to_string(frames_rejected());
  // Whatever came before the end is handed over and committed before the
  // last answer, so a sender that saw the end knows where it stands.
  auto ack = eng_.flush();
  if (ack)
    line += " ack committed=" + std::to_string(ack->committed_rows);
  else
    line += " nack " + eng_.system().render(ack.error());
  log_->info("ingest-end frames_accepted={} frames_rejected={} broken={}",
             frames_accepted(), frames_rejected(), decoder_.failed());
  answer_(line);
}

} // namespace argus::runtime
