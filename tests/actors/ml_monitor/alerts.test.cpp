#include "actors/ml_monitor/alerts.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace argus;

namespace {

constexpr int64_t sec = 1'000'000'000;

} // namespace

TEST_CASE("alerts fire after the pending period, escalate, and resolve only "
          "after the keep period, in virtual time") {
  alert_state a{{30 * sec, 60 * sec}};
  // A blip shorter than the pending period never fires.
  CHECK(a.update(0, severity::medium) == alert_change::none);
  CHECK(a.update(10 * sec, severity::none) == alert_change::none);
  CHECK(!a.firing());
  // Held for 30 s: fires at the check that reaches it.
  CHECK(a.update(20 * sec, severity::low) == alert_change::none);
  CHECK(a.update(40 * sec, severity::low) == alert_change::none);
  CHECK(a.update(50 * sec, severity::medium) == alert_change::fired);
  CHECK(a.level() == severity::medium);
  CHECK(a.update(60 * sec, severity::critical) == alert_change::escalated);
  CHECK(a.update(70 * sec, severity::high) == alert_change::none);
  CHECK(a.level() == severity::critical);
  // Clearing: a relapse within the keep period keeps it firing.
  CHECK(a.update(80 * sec, severity::none) == alert_change::none);
  CHECK(a.update(120 * sec, severity::low) == alert_change::none);
  CHECK(a.firing());
  CHECK(a.update(130 * sec, severity::none) == alert_change::none);
  CHECK(a.update(180 * sec, severity::none) == alert_change::none);
  CHECK(a.update(190 * sec, severity::none) == alert_change::resolved);
  CHECK(!a.firing());
  // Without anti-flap: fires and resolves at once.
  alert_state plain;
  CHECK(plain.update(0, severity::high) == alert_change::fired);
  CHECK(plain.update(1, severity::none) == alert_change::resolved);
}
