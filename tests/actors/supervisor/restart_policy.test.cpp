#include "actors/supervisor/restart_policy.hpp"

#include <doctest/doctest.h>

using namespace argus;
using namespace std::chrono_literals;

TEST_CASE("restart_policy doubles the backoff and gives up past its budget") {
  restart_policy p{3, 60s, 100ms, 350ms};
  auto t = restart_policy::clock::time_point{} + 1h;
  CHECK(p.on_crash(t) == 100ms);
  CHECK(p.on_crash(t + 1s) == 200ms);
  CHECK(p.on_crash(t + 2s) == 350ms); // capped
  CHECK(!p.on_crash(t + 3s));         // fourth crash within the window
  // Once the window has passed, the budget is back.
  CHECK(p.on_crash(t + 3s + 61s) == 100ms);
}
