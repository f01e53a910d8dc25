#include "actors/report_scheduler/schedule.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace argus::report_scheduler;
using namespace std::chrono;

namespace {

sys_seconds utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
  return date::sys_days{date::year{y} / mo / d} + hours{h} + minutes{mi};
}

std::string show(sys_seconds t) {
  return date::format("%Y-%m-%d %H:%MZ", t);
}

schedule make(schedule s, const char* zone) {
  std::string error;
  auto built = make_schedule(s, zone, error);
  INFO(error);
  REQUIRE(built);
  return *built;
}

schedule cron(const char* expr, const char* zone) {
  std::string error;
  auto c = cron_expression::parse(expr, error);
  INFO(error);
  REQUIRE(c);
  schedule s;
  s.every = schedule::kind::cron;
  s.cron = c;
  return make(s, zone);
}

schedule daily(unsigned h, unsigned m, const char* zone) {
  schedule s;
  s.every = schedule::kind::daily;
  s.hour = h;
  s.minute = m;
  return make(s, zone);
}

/// The next `n` runs after `from`.
std::vector<std::string> runs(const schedule& s, sys_seconds from, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    from = s.next_after(from);
    out.push_back(show(from));
  }
  return out;
}

using list = std::vector<std::string>;

} // namespace

// Expected instants written by hand from `zdump -v -c 2026,2027`: Berlin
// springs forward 2026-03-29 01:00Z (02:00 CET -> 03:00 CEST) and falls back
// 2026-10-25 01:00Z (03:00 CEST -> 02:00 CET); New York springs forward
// 2026-03-08 07:00Z (02:00 EST -> 03:00 EDT) and falls back 2026-11-01
// 06:00Z (02:00 EDT -> 01:00 EST).

TEST_CASE("daily at a fixed time across Berlin's DST: a skipped time runs "
          "at the switch, a repeated one once, at its first pass") {
  CHECK(runs(daily(3, 0, "Europe/Berlin"), utc(2026, 3, 28, 12), 2)
        == list{"2026-03-29 01:00Z", "2026-03-30 01:00Z"});
  CHECK(runs(daily(2, 30, "Europe/Berlin"), utc(2026, 3, 28, 12), 2)
        == list{"2026-03-29 01:00Z", "2026-03-30 00:30Z"});
  CHECK(runs(daily(2, 30, "Europe/Berlin"), utc(2026, 10, 24, 12), 2)
        == list{"2026-10-25 00:30Z", "2026-10-26 01:30Z"});
  // Asked again just after the first pass: not again in the second.
  CHECK(runs(daily(2, 30, "Europe/Berlin"), utc(2026, 10, 25, 0, 30), 1)
        == list{"2026-10-26 01:30Z"});
}

TEST_CASE("daily across New York's DST, and weekly on a weekday") {
  CHECK(runs(daily(2, 30, "America/New_York"), utc(2026, 3, 7, 12), 2)
        == list{"2026-03-08 07:00Z", "2026-03-09 06:30Z"});
  CHECK(runs(daily(1, 30, "America/New_York"), utc(2026, 10, 31, 12), 2)
        == list{"2026-11-01 05:30Z", "2026-11-02 06:30Z"});
  schedule w;
  w.every = schedule::kind::weekly;
  w.weekday = 1; // Monday
  w.hour = 7;
  auto weekly = make(w, "America/New_York");
  // Thursday 2026-03-05: Monday 03-09 is the first in EDT.
  CHECK(runs(weekly, utc(2026, 3, 5, 12), 2)
        == list{"2026-03-09 11:00Z", "2026-03-16 11:00Z"});
}

TEST_CASE("monthly on the 31st runs on the last day of shorter months") {
  schedule m;
  m.every = schedule::kind::monthly;
  m.day_of_month = 31;
  auto s = make(m, "UTC");
  CHECK(runs(s, utc(2026, 1, 31, 7), 4)
        == list{"2026-02-28 06:00Z", "2026-03-31 06:00Z", "2026-04-30 06:00Z",
                "2026-05-31 06:00Z"});
  CHECK(runs(s, utc(2028, 2, 1), 1) == list{"2028-02-29 06:00Z"});
}

TEST_CASE("hourly is an interval job: 23 runs on the day that springs "
          "forward, 25 on the day that falls back") {
  schedule h;
  h.every = schedule::kind::hourly;
  h.minute = 15;
  auto s = make(h, "Europe/Berlin");
  CHECK(s.runs_on(date::local_days{date::year{2026} / 3 / 29}).size() == 23);
  CHECK(s.runs_on(date::local_days{date::year{2026} / 10 / 25}).size() == 25);
  CHECK(s.runs_on(date::local_days{date::year{2026} / 6 / 1}).size() == 24);
}

TEST_CASE("cron: weekdays, the Vixie day rule, 29 February, and an interval "
          "job in both passes of a repeated hour") {
  // Friday 2026-10-23: the next weekday runs are Monday and Tuesday, in
  // CET after the switch.
  CHECK(runs(cron("0 3 * * 1-5", "Europe/Berlin"), utc(2026, 10, 23, 12), 2)
        == list{"2026-10-26 02:00Z", "2026-10-27 02:00Z"});
  CHECK(runs(cron("0 0 29 2 *", "UTC"), utc(2026, 1, 1), 2)
        == list{"2028-02-29 00:00Z", "2032-02-29 00:00Z"});
  // Both day fields restricted: the 13th or a Friday (April 2026: the
  // 13th is a Monday).
  CHECK(runs(cron("0 12 13 * 5", "UTC"), utc(2026, 4, 1), 4)
        == list{"2026-04-03 12:00Z", "2026-04-10 12:00Z", "2026-04-13 12:00Z",
                "2026-04-17 12:00Z"});
  // One restricted: both must hold (Fridays in April only).
  CHECK(runs(cron("0 12 * 4 5", "UTC"), utc(2026, 4, 1), 2)
        == list{"2026-04-03 12:00Z", "2026-04-10 12:00Z"});
  // Every 30 minutes through the fall-back night: 02:00 and 02:30 twice.
  CHECK(
    runs(cron("*/30 * * * *", "Europe/Berlin"), utc(2026, 10, 24, 23, 59), 5)
    == list{"2026-10-25 00:00Z", "2026-10-25 00:30Z", "2026-10-25 01:00Z",
            "2026-10-25 01:30Z", "2026-10-25 02:00Z"});
  // And through the spring-forward night: nothing in the hour that is not.
  CHECK(runs(cron("*/30 * * * *", "Europe/Berlin"), utc(2026, 3, 29, 0, 29), 3)
        == list{"2026-03-29 00:30Z", "2026-03-29 01:00Z", "2026-03-29 01:30Z"});
  // A listed hour is a fixed time: the skipped 02:30 runs at the switch.
  CHECK(runs(cron("30 2 * * *", "Europe/Berlin"), utc(2026, 3, 28, 12), 2)
        == list{"2026-03-29 01:00Z", "2026-03-30 00:30Z"});
  // 7 is Sunday, as 0 is.
  CHECK(runs(cron("0 9 * * 7", "UTC"), utc(2026, 4, 1), 1)
        == list{"2026-04-05 09:00Z"});
}

TEST_CASE("a year of a daily report in virtual time: one run a local day at "
          "06:00, 23 and 25 hours apart across the two switches") {
  auto s = daily(6, 0, "Europe/Berlin");
  auto t = utc(2026, 1, 1);
  int n = 0, short_days = 0, long_days = 0;
  sys_seconds last{};
  while (true) {
    t = s.next_after(t);
    if (t >= utc(2027, 1, 1))
      break;
    auto local = s.zone->to_local(t);
    auto tod = local - date::floor<date::days>(local);
    CHECK(tod == hours{6});
    if (n > 0) {
      auto gap = t - last;
      short_days += gap == hours{23};
      long_days += gap == hours{25};
      CHECK((gap == hours{24} || gap == hours{23} || gap == hours{25}));
    }
    last = t;
    ++n;
  }
  CHECK(n == 365);
  CHECK(short_days == 1);
  CHECK(long_days == 1);
}

TEST_CASE("cron expressions and schedules that cannot run are refused with "
          "the reason") {
  struct bad {
    const char* expr;
    const char* says;
  };
  for (auto [expr, says] : std::vector<bad>{
         {"0 9 * * MON", "names (MON, JAN) and L, W are not understood"},
         {"@daily", "write the 5 fields"},
         {"0 9 * *", "this one has 4"},
         {"0 0 9 * * *", "this one has 6"},
         {"61 * * * *", "minute field '61': values must be within 0-59"},
         {"0 24 * * *", "hour field '24'"},
         {"0 0 0 * *", "day of month field '0'"},
         {"0 0 * 13 *", "month field '13'"},
         {"0 0 * * 8", "day of week field '8'"},
         {"5-1 * * * *", "must not run backwards"},
         {"*/0 * * * *", "positive number"},
         {"1,,2 * * * *", "an empty list item"},
         {"0 0 L * *", "use numbers"},
         {"0 0 * * 1#2", "not a number, range or '*'"},
       }) {
    std::string text = expr;
    CAPTURE(text);
    std::string error;
    CHECK_FALSE(cron_expression::parse(expr, error));
    CHECK(error.find(says) != std::string::npos);
  }
  std::string error;
  auto april31 = cron_expression::parse("0 0 31 4 *", error);
  REQUIRE(april31);
  schedule s;
  s.every = schedule::kind::cron;
  s.cron = april31;
  CHECK_FALSE(make_schedule(s, "UTC", error));
  CHECK(error.find("never runs") != std::string::npos);
  CHECK_FALSE(make_schedule(schedule{}, "Mars/Olympus", error));
  CHECK(error.find("'Mars/Olympus' is not a time zone") != std::string::npos);
  schedule late;
  late.hour = 24;
  CHECK_FALSE(make_schedule(late, "UTC", error));
  CHECK(error.find("00:00-23:59") != std::string::npos);
}

TEST_CASE("at start, runs missed while down collapse into one run if the "
          "latest is within the grace period, and the schedule resumes") {
  auto s = daily(6, 0, "UTC");
  auto grace = std::chrono::seconds{hours{1}};
  // First start: nothing was due.
  auto p = plan_start(s, std::nullopt, utc(2026, 5, 1, 12), grace);
  CHECK_FALSE(p.run_now);
  CHECK(p.missed == 0);
  CHECK(show(p.next) == "2026-05-02 06:00Z");
  // Down over 06:00, back at 06:10: run once now, then tomorrow.
  p = plan_start(s, utc(2026, 5, 2, 6), utc(2026, 5, 2, 6, 10), grace);
  CHECK(p.run_now);
  CHECK(p.missed == 1);
  CHECK(show(p.next) == "2026-05-03 06:00Z");
  // Back at 09:00: too late for today's, counted, not run.
  p = plan_start(s, utc(2026, 5, 2, 6), utc(2026, 5, 2, 9), grace);
  CHECK_FALSE(p.run_now);
  CHECK(p.missed == 1);
  // Down three days, back 30 minutes after the third missed run: one run.
  p = plan_start(s, utc(2026, 5, 2, 6), utc(2026, 5, 4, 6, 30), grace);
  CHECK(p.run_now);
  CHECK(p.missed == 3);
  CHECK(show(p.next) == "2026-05-05 06:00Z");
  // Stopped before its next run and back before it: nothing missed.
  p = plan_start(s, utc(2026, 5, 5, 6), utc(2026, 5, 5, 5), grace);
  CHECK_FALSE(p.run_now);
  CHECK(p.missed == 0);
  CHECK(show(p.next) == "2026-05-05 06:00Z");
  // An hourly job down for two years: counting stops at 10 000.
  schedule h;
  h.every = schedule::kind::hourly;
  p = plan_start(make(h, "UTC"), utc(2024, 1, 1), utc(2026, 1, 1, 0, 30),
                 grace);
  CHECK(p.missed == 10'000);
}
