#include "runtime/gateway/audit_trail.hpp"

namespace argus::gateway {

audit_trail::audit_trail(sink to_storage, size_t capacity,
                         std::chrono::milliseconds interval, size_t batch)
    : sink_(std::move(to_storage)),
      capacity_(capacity),
      interval_(interval),
      batch_(batch) {
  thread_ = std::thread{[this] {
    run();
  }};
}

audit_trail::~audit_trail() {
  stop();
}

void audit_trail::record(storage::audit_record x) {
  auto row = storage::to_row(x);
  bool wake = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_ || waiting_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    waiting_.push_back(std::move(row));
    wake = waiting_.size() == batch_;
  }
  recorded_.fetch_add(1, std::memory_order_relaxed);
  if (wake)
    cv_.notify_one();
}

void audit_trail::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_)
      return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable())
    thread_.join();
}

audit_trail::counters audit_trail::get_counters() const {
  return {recorded_.load(std::memory_order_relaxed),
          taken_.load(std::memory_order_relaxed),
          dropped_.load(std::memory_order_relaxed)};
}

void audit_trail::run() {
  std::unique_lock<std::mutex> lock{mtx_};
  while (true) {
    cv_.wait_for(lock, interval_, [this] {
      return stopping_ || waiting_.size() >= batch_;
    });
    std::vector<db_row> rows;
    rows.swap(waiting_);
    bool last = stopping_;
    lock.unlock();
    hand_over(std::move(rows));
    lock.lock();
    // What arrived while the last batch was handed over goes too.
    if (last && waiting_.empty())
      return;
  }
}

void audit_trail::hand_over(std::vector<db_row>&& rows) {
  if (rows.empty())
    return;
  auto n = rows.size();
  size_t taken = 0;
  try {
    taken = std::min(n, sink_(std::move(rows)));
  } catch (...) {
    taken = 0;
  }
  taken_.fetch_add(taken, std::memory_order_relaxed);
  dropped_.fetch_add(n - taken, std::memory_order_relaxed);
}

} // namespace argus::gateway
