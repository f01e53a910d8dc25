#pragma once

// How components hand rows to the storage writer when they need no answer.

#include "messages/interfaces.hpp"

#include <chrono>
#include <vector>

namespace argus {

/// How long a component waits for the storage writer to take rows.
inline constexpr auto storage_timeout = std::chrono::seconds{60};

/// Hands `rows` to the storage writer without waiting for its answer. The
/// writer receives them before any flush this actor sends later (FIFO
/// between two actors), so a following flush covers them; a failure shows
/// in the writer's own counters and status.
template <class Self>
void send_rows(Self* self, const storage_writer_actor& storage,
               std::vector<db_row> rows) {
  if (rows.empty())
    return;
  self
    ->request(storage, storage_timeout,
              persist_rows{message_header{}, std::move(rows)})
    .then([](uint64_t) {}, [](caf::error&) {});
}

/// Hands `rows` to the storage writer and answers `taken` once it has them
/// (or its error): the senders of batches (the dispatcher) send the next
/// only then, so no mailbox grows without bound, and FIFO order to the
/// writer makes a later flush cover these rows.
template <class Self>
caf::result<uint64_t>
persist_then_reply(Self* self, const storage_writer_actor& storage,
                   const correlation_id& corr, std::vector<db_row> rows,
                   uint64_t taken) {
  if (rows.empty())
    return taken;
  auto rp = self->template make_response_promise<uint64_t>();
  self
    ->request(storage, storage_timeout,
              persist_rows{make_header<persist_rows>(corr), std::move(rows)})
    .then(
      [rp, taken](uint64_t) mutable {
        rp.deliver(taken);
      },
      [rp](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
  return rp;
}

/// A component's answer to the supervisor's status request: its state's
/// figures plus its mailbox size.
template <class Self>
component_status status_with_mailbox(Self* self, const message_header& hdr) {
  auto result = self->state.status(hdr);
  result.mailbox_size = self->mailbox().size();
  return result;
}

} // namespace argus
