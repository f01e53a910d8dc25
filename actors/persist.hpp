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

} // namespace argus
