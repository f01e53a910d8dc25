#pragma once

// When a report runs: the spec's `hourly`, `daily`, `weekly`, `monthly`
// (at a configured time of day, weekday, day of month) or a 5-field cron
// expression, each in a named IANA time zone (Howard Hinnant's date/tz on
// the system's tz database). Pure: the time is passed in, never read.
//
// Across DST, as Vixie cron does:
// - A run at a fixed local time (daily/weekly/monthly, and cron whose hour
//   field is a list or range) that the clock skips (spring forward) runs at
//   the switch; one the clock repeats (fall back) runs once, the first time.
// - An interval job (hourly, and cron whose hour field starts with `*`)
//   runs at every minute that exists: none in the skipped hour, both passes
//   of the repeated one.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/tz.h>

namespace argus::report_scheduler {

using date::sys_seconds;

/// A wall-clock time in nanoseconds since the epoch (argus's messages) as
/// whole seconds (the schedules'), rounded down, and back.
inline sys_seconds to_sys(int64_t ns) {
  using namespace std::chrono;
  return date::floor<seconds>(date::sys_time<nanoseconds>{nanoseconds{ns}});
}
inline int64_t to_ns(sys_seconds t) {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(t.time_since_epoch()).count();
}

/// `minute hour day-of-month month day-of-week`, each field `*`, `a`,
/// `a-b`, `*/n`, `a-b/n`, `a/n` or a comma list of those; day-of-week 0-7
/// (0 and 7 are Sunday). When both day fields are restricted a day matching
/// either runs (Vixie's rule). Names (`MON`), `@daily`, `L`, `W`, `#` and a
/// sixth field are refused by name.
class cron_expression {
public:
  static std::optional<cron_expression> parse(std::string_view text,
                                              std::string& error);

  bool matches_day(date::year_month_day ymd, date::weekday wd) const;
  bool hour(unsigned h) const {
    return hours_[h];
  }
  bool minute(unsigned m) const {
    return minutes_[m];
  }
  /// The hour field starts with `*`: an interval job (see above).
  bool interval() const noexcept {
    return hour_star_;
  }
  const std::string& text() const noexcept {
    return text_;
  }

private:
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;
  std::bitset<13> months_;
  std::bitset<7> weekdays_;
  bool dom_star_ = false;
  bool dow_star_ = false;
  bool hour_star_ = false;
  std::string text_;
};

/// @returns the zone named `name` (`Europe/Berlin`, `UTC`), or nullptr with
///          `error` set.
const date::time_zone* find_zone(std::string_view name, std::string& error);

struct schedule {
  enum class kind : uint8_t { hourly, daily, weekly, monthly, cron };
  kind every = kind::daily;
  /// daily/weekly/monthly: the local time of day; hourly: `minute` only.
  unsigned hour = 6;
  unsigned minute = 0;
  /// weekly: 0 = Sunday … 6 = Saturday.
  unsigned weekday = 1;
  /// monthly: 1-31; a month shorter than that runs on its last day (a
  /// monthly report every month, unlike cron's `31 * *`, which skips).
  unsigned day_of_month = 1;
  std::optional<cron_expression> cron;
  /// Never null once built by `make_schedule`.
  const date::time_zone* zone = nullptr;

  /// The first run strictly after `after`.
  sys_seconds next_after(sys_seconds after) const;

  /// The runs on one local day, in order, without duplicates.
  std::vector<sys_seconds> runs_on(date::local_days day) const;
};

/// What the scheduler does with a schedule as argusd starts.
struct start_plan {
  /// Run once now: a run was missed while argusd was down, the latest of
  /// them within the grace period.
  bool run_now = false;
  /// Runs that fell while argusd was down (counted up to 10 000).
  uint64_t missed = 0;
  /// The next scheduled run after now.
  sys_seconds next;
};

/// `due`: the next run stored before argusd stopped (none on a first
/// start). Runs missed while down collapse into one run at start if the
/// latest of them is at most `grace` old; older ones are only counted, so
/// a week away does not send a week of reports. The schedule then resumes
/// from now (a changed schedule takes effect at once).
start_plan plan_start(const schedule& s, std::optional<sys_seconds> due,
                      sys_seconds now, std::chrono::seconds grace);

/// Checks the fields' ranges and finds the zone. @returns the schedule, or
/// nothing with `error` naming what is wrong.
std::optional<schedule> make_schedule(schedule s, std::string_view zone,
                                      std::string& error);

/// The schedule a report's configuration words describe: `every` is
/// `hourly`, `daily`, `weekly`, `monthly` or a 5-field cron expression;
/// `at` is `HH:MM` (hourly runs take its minute); `weekday` is `monday` ...
/// `sunday`. @returns the schedule, or nothing with `error` naming what is
/// wrong.
std::optional<schedule> schedule_from_words(std::string_view every,
                                            std::string_view at,
                                            std::string_view weekday,
                                            unsigned day_of_month,
                                            std::string_view zone,
                                            std::string& error);

/// @returns the schedule in words: "daily at 06:00 (Europe/Berlin)".
std::string describe(const schedule& s);

/// @returns `hourly`, `daily`, `weekly`, `monthly` or `cron` (the
///          `schedule_type` of `report_history`).
const char* to_string(schedule::kind k);

} // namespace argus::report_scheduler
