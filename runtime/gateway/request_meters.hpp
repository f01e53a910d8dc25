#pragma once

// The gateway's own metrics on /metrics: requests by route, method and
// status code, and their latency by route.

#include "runtime/client.hpp"
#include "runtime/gateway/gateway.hpp"
#include "runtime/gateway/routes.hpp"

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace argus::gateway {

/// Counters for one label set that differ only in one small integer (a
/// status code), resolved on first use and then read without a lock, from
/// any number of threads.
class code_counters {
public:
  /// How many different codes get a handle of their own; more go through
  /// the registry by name.
  static constexpr size_t capacity = 16;

  /// @returns the counter for `code`, made with `make(code)` the first time,
  ///          or nullptr when `capacity` codes are taken.
  template <class Make>
  runtime::counter_handle* get(int code, Make&& make) {
    if (auto found = find(code))
      return found;
    std::lock_guard<std::mutex> guard{mtx_};
    if (auto found = find(code))
      return found;
    for (auto& s : slots_)
      if (s.code.load(std::memory_order_relaxed) == 0) {
        s.counter = make(code);
        // Published after the handle: a reader that sees the code sees it.
        s.code.store(code, std::memory_order_release);
        return &s.counter;
      }
    return nullptr;
  }

private:
  runtime::counter_handle* find(int code) {
    for (auto& s : slots_) {
      auto c = s.code.load(std::memory_order_acquire);
      if (c == code)
        return &s.counter;
      if (c == 0)
        return nullptr;
    }
    return nullptr;
  }

  struct slot {
    /// 0: free. Slots fill in order and are never freed.
    std::atomic<int> code{0};
    runtime::counter_handle counter;
  };
  std::array<slot, capacity> slots_;
  std::mutex mtx_;
};

/// `argus_http_requests_total{route,method,code}` and
/// `argus_http_request_duration_seconds{route}` through handles resolved
/// once per route: a request costs a hash lookup and two atomic adds, not
/// two registry lookups under its lock. Safe from every gateway thread.
class request_meters {
public:
  request_meters(runtime::client c, const std::vector<route>& routes);

  void record(const request_record& r) noexcept;

private:
  struct meter {
    std::string route;
    std::string method;
    runtime::histogram_handle duration;
    code_counters requests;
  };

  meter* find(const request_record& r) const;
  void add(const std::string& route, const std::string& method);

  runtime::client client_;
  /// By method and route pattern; fixed after construction.
  std::unordered_map<std::string, std::unique_ptr<meter>> meters_;
};

} // namespace argus::gateway
