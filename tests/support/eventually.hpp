#pragma once

// Waits for something a running engine does on its own time (a timer, a
// check), polling; tests assert on the outcome, never on how long it took.

#include <chrono>
#include <thread>

namespace argus::test {

/// @returns whether `f()` became true within `limit`.
template <class F>
bool eventually(F f, std::chrono::seconds limit = std::chrono::seconds{20}) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return f();
}

} // namespace argus::test
