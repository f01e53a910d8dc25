#pragma once

// The gateway's audit trail: each answered request becomes an `audit_log`
// row, handed to the storage writer in batches from the trail's own thread,
// so no request waits for storage. Bounded like every queue in argus:
// records beyond `capacity` waiting are dropped and counted, as are rows
// the writer did not take.

#include "messages/storage.hpp"
#include "storage/audit.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace argus::gateway {

class audit_trail {
public:
  /// Hands rows to storage. @returns how many it took (the rest are lost).
  using sink = std::function<size_t(std::vector<db_row>&&)>;

  /// Starts the thread that hands over a batch every `interval`, or at once
  /// when `batch` records are waiting.
  audit_trail(sink to_storage, size_t capacity,
              std::chrono::milliseconds interval, size_t batch = 512);

  /// `stop()`.
  ~audit_trail();

  audit_trail(const audit_trail&) = delete;
  audit_trail& operator=(const audit_trail&) = delete;

  /// Queues one record; never blocks on storage. Drops it (counted) when
  /// `capacity` records are waiting or the trail has stopped.
  void record(storage::audit_record x);

  /// Hands over what is waiting, then ends the thread. Idempotent.
  void stop();

  struct counters {
    uint64_t recorded = 0;
    uint64_t taken = 0;
    uint64_t dropped = 0;
  };

  counters get_counters() const;

private:
  void run();

  /// Hands `rows` to the sink, counting what it did not take.
  void hand_over(std::vector<db_row>&& rows);

  sink sink_;
  size_t capacity_;
  std::chrono::milliseconds interval_;
  size_t batch_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<db_row> waiting_;
  bool stopping_ = false;
  std::atomic<uint64_t> recorded_{0};
  std::atomic<uint64_t> taken_{0};
  std::atomic<uint64_t> dropped_{0};
  std::thread thread_;
};

} // namespace argus::gateway
