#include "actors/report_scheduler/schedule.hpp"

#include "messages/numbers.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>

namespace argus::report_scheduler {

namespace {

using namespace std::chrono;

struct field_rule {
  const char* name;
  unsigned lo;
  unsigned hi;
};

constexpr field_rule field_rules[5] = {{"minute", 0, 59},
                                       {"hour", 0, 23},
                                       {"day of month", 1, 31},
                                       {"month", 1, 12},
                                       {"day of week", 0, 7}};

std::optional<unsigned> number(std::string_view s) {
  auto n = parse_digits(s, 4);
  return n ? std::optional<unsigned>{static_cast<unsigned>(*n)} : std::nullopt;
}

/// Sets the values one field names in `bits`; @returns an error or "".
template <size_t N>
std::string parse_field(std::string_view f, const field_rule& r,
                        std::bitset<N>& bits) {
  auto bad = [&](std::string why) {
    return std::string{r.name} + " field '" + std::string{f} + "': " + why;
  };
  if (f.empty())
    return bad("empty");
  size_t start = 0;
  while (start <= f.size()) {
    auto comma = f.find(',', start);
    auto part
      = f.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                        : comma - start);
    start = comma == std::string_view::npos ? f.size() + 1 : comma + 1;
    if (part.empty())
      return bad("an empty list item");
    unsigned step = 1;
    auto slash = part.find('/');
    if (slash != std::string_view::npos) {
      auto s = number(part.substr(slash + 1));
      if (!s || *s == 0)
        return bad("the step after '/' must be a positive number");
      step = *s;
      part = part.substr(0, slash);
    }
    unsigned a = r.lo, b = r.hi;
    if (part != "*") {
      auto dash = part.find('-');
      auto first = number(part.substr(0, dash));
      if (!first) {
        if (std::isalpha(static_cast<unsigned char>(part[0])))
          return bad(
            "names (MON, JAN) and L, W are not understood: use numbers");
        return bad("not a number, range or '*'");
      }
      a = *first;
      if (dash != std::string_view::npos) {
        auto last = number(part.substr(dash + 1));
        if (!last)
          return bad("a range needs a number after '-'");
        b = *last;
      } else {
        // `a/n` runs from a to the end; a lone `a` is that value only.
        b = slash != std::string_view::npos ? r.hi : a;
      }
    }
    if (a < r.lo || b > r.hi)
      return bad("values must be within " + std::to_string(r.lo) + "-"
                 + std::to_string(r.hi));
    if (a > b)
      return bad("a range must not run backwards");
    for (unsigned v = a; v <= b; v += step)
      bits.set(v);
  }
  return {};
}

/// The instants a local time stands for: a fixed-time run maps a skipped
/// time to the switch and a repeated one to its first pass; an interval
/// run has none for a skipped time and both passes of a repeated one.
void instants(const date::time_zone* tz, date::local_seconds lt, bool interval,
              std::vector<sys_seconds>& out) {
  auto info = tz->get_info(lt);
  switch (info.result) {
    case date::local_info::unique:
      out.push_back(sys_seconds{lt.time_since_epoch() - info.first.offset});
      break;
    case date::local_info::nonexistent:
      if (!interval)
        out.push_back(info.first.end);
      break;
    case date::local_info::ambiguous:
      out.push_back(sys_seconds{lt.time_since_epoch() - info.first.offset});
      if (interval)
        out.push_back(sys_seconds{lt.time_since_epoch() - info.second.offset});
      break;
  }
}

} // namespace

std::optional<cron_expression> cron_expression::parse(std::string_view text,
                                                      std::string& error) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    auto start = i;
    while (i < text.size()
           && !std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    if (i > start)
      fields.push_back(text.substr(start, i - start));
  }
  if (!fields.empty() && fields[0].front() == '@') {
    error = "'" + std::string{fields[0]}
            + "' is not understood: write the 5 fields (minute hour "
              "day-of-month month day-of-week)";
    return std::nullopt;
  }
  if (fields.size() != 5) {
    error = "a cron expression has 5 fields (minute hour day-of-month month "
            "day-of-week), this one has "
            + std::to_string(fields.size());
    return std::nullopt;
  }
  cron_expression c;
  std::bitset<8> dow;
  std::string why;
  if (!(why = parse_field(fields[0], field_rules[0], c.minutes_)).empty()
      || !(why = parse_field(fields[1], field_rules[1], c.hours_)).empty()
      || !(why = parse_field(fields[2], field_rules[2], c.days_)).empty()
      || !(why = parse_field(fields[3], field_rules[3], c.months_)).empty()
      || !(why = parse_field(fields[4], field_rules[4], dow)).empty()) {
    error = why;
    return std::nullopt;
  }
  for (unsigned d = 0; d < 7; ++d)
    c.weekdays_[d] = dow[d];
  if (dow[7])
    c.weekdays_.set(0);
  c.hour_star_ = fields[1].front() == '*';
  c.dom_star_ = fields[2].front() == '*';
  c.dow_star_ = fields[4].front() == '*';
  for (size_t k = 0; k < fields.size(); ++k)
    c.text_.append(k ? " " : "").append(fields[k]);
  return c;
}

bool cron_expression::matches_day(date::year_month_day ymd,
                                  date::weekday wd) const {
  if (!months_[static_cast<unsigned>(ymd.month())])
    return false;
  bool dom = days_[static_cast<unsigned>(ymd.day())];
  bool dow = weekdays_[wd.c_encoding()];
  // Vixie cron: with both day fields restricted, either one suffices.
  if (!dom_star_ && !dow_star_)
    return dom || dow;
  return dom && dow;
}

const date::time_zone* find_zone(std::string_view name, std::string& error) {
  try {
    return date::locate_zone(std::string{name});
  } catch (const std::exception&) {
    error = "'" + std::string{name}
            + "' is not a time zone of the tz database (e.g. UTC, "
              "Europe/Berlin, America/New_York)";
    return nullptr;
  }
}

std::optional<schedule> make_schedule(schedule s, std::string_view zone,
                                      std::string& error) {
  if (s.hour > 23 || s.minute > 59) {
    error = "the time of day must be within 00:00-23:59";
    return std::nullopt;
  }
  if (s.weekday > 6) {
    error = "the weekday must be within 0 (Sunday) - 6 (Saturday)";
    return std::nullopt;
  }
  if (s.day_of_month < 1 || s.day_of_month > 31) {
    error = "the day of the month must be within 1-31";
    return std::nullopt;
  }
  if (s.every == schedule::kind::cron && !s.cron) {
    error = "a cron schedule needs its expression";
    return std::nullopt;
  }
  s.zone = find_zone(zone, error);
  if (!s.zone)
    return std::nullopt;
  if (s.every == schedule::kind::cron) {
    // "0 0 31 4 *": no April has a 31st. Five years from 1972 (a leap
    // year's 29 February included) find any day that exists.
    try {
      s.next_after(date::sys_days{date::year{1971} / 12 / 31});
    } catch (const std::exception&) {
      error
        = "'" + s.cron->text() + "' names no day that exists: it never runs";
      return std::nullopt;
    }
  }
  return s;
}

std::vector<sys_seconds> schedule::runs_on(date::local_days day) const {
  std::vector<sys_seconds> out;
  date::year_month_day ymd{day};
  date::weekday wd{day};
  auto at = [&](unsigned h, unsigned m, bool interval) {
    instants(zone, day + hours{h} + minutes{m}, interval, out);
  };
  switch (every) {
    case kind::hourly:
      for (unsigned h = 0; h < 24; ++h)
        at(h, minute, true);
      break;
    case kind::daily:
      at(hour, minute, false);
      break;
    case kind::weekly:
      if (wd.c_encoding() == weekday)
        at(hour, minute, false);
      break;
    case kind::monthly: {
      auto last = date::year_month_day_last{ymd.year(),
                                            date::month_day_last{ymd.month()}}
                    .day();
      auto target = std::min(date::day{day_of_month}, last);
      if (ymd.day() == target)
        at(hour, minute, false);
      break;
    }
    case kind::cron:
      if (!cron->matches_day(ymd, wd))
        break;
      for (unsigned h = 0; h < 24; ++h) {
        if (!cron->hour(h))
          continue;
        for (unsigned m = 0; m < 60; ++m)
          if (cron->minute(m))
            at(h, m, cron->interval());
      }
      break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

sys_seconds schedule::next_after(sys_seconds after) const {
  // From the day before (a repeated hour can put a run of the previous
  // local day after `after`) through five years: "0 0 29 2 *" runs once in
  // four, and "0 0 30 2 *" never (refused at the end).
  auto today = date::floor<date::days>(zone->to_local(after));
  for (int d = -1; d <= 366 * 5; ++d)
    for (auto t : runs_on(today + date::days{d}))
      if (t > after)
        return t;
  throw std::runtime_error{"the schedule '"
                           + (cron ? cron->text() : std::string{"?"})
                           + "' never runs"};
}

start_plan plan_start(const schedule& s, std::optional<sys_seconds> due,
                      sys_seconds now, std::chrono::seconds grace) {
  start_plan plan;
  plan.next = s.next_after(now);
  if (!due || *due > now)
    return plan;
  // `due` was a run (unless the schedule changed since): count it and those
  // after it up to now, and keep the latest.
  sys_seconds latest = *due;
  plan.missed = 1;
  for (auto t = s.next_after(*due); t <= now && plan.missed < 10'000;
       t = s.next_after(t)) {
    latest = t;
    ++plan.missed;
  }
  plan.run_now = now - latest <= grace;
  return plan;
}

namespace {

constexpr const char* weekday_words[]
  = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
     "saturday"};

} // namespace

std::optional<schedule> schedule_from_words(std::string_view every,
                                            std::string_view at,
                                            std::string_view weekday,
                                            unsigned day_of_month,
                                            std::string_view zone,
                                            std::string& error) {
  schedule s;
  if (every == "hourly")
    s.every = schedule::kind::hourly;
  else if (every == "daily")
    s.every = schedule::kind::daily;
  else if (every == "weekly")
    s.every = schedule::kind::weekly;
  else if (every == "monthly")
    s.every = schedule::kind::monthly;
  else if (every.find(' ') != std::string_view::npos) {
    s.every = schedule::kind::cron;
    std::string cron_error;
    s.cron = cron_expression::parse(every, cron_error);
    if (!s.cron) {
      error = "'" + std::string{every} + "' is not a cron expression: "
              + cron_error;
      return std::nullopt;
    }
  } else {
    error = "must be hourly, daily, weekly, monthly or a 5-field cron "
            "expression; got '"
            + std::string{every} + "'";
    return std::nullopt;
  }
  // HH:MM, H:MM.
  auto colon = at.find(':');
  auto h = colon == std::string_view::npos
             ? std::nullopt
             : parse_digits(at.substr(0, colon), 2);
  auto m = colon == std::string_view::npos
             ? std::nullopt
             : parse_digits(at.substr(colon + 1), 2);
  if (!h || !m || at.size() - colon != 3 || *h > 23 || *m > 59) {
    error = "the time of day must be HH:MM within 00:00-23:59; got '"
            + std::string{at} + "'";
    return std::nullopt;
  }
  s.hour = static_cast<unsigned>(*h);
  s.minute = static_cast<unsigned>(*m);
  s.weekday = 7;
  for (unsigned i = 0; i < 7; ++i)
    if (weekday == weekday_words[i])
      s.weekday = i;
  if (s.weekday == 7) {
    error = "the weekday must be monday ... sunday; got '"
            + std::string{weekday} + "'";
    return std::nullopt;
  }
  s.day_of_month = day_of_month;
  return make_schedule(std::move(s), zone, error);
}

const char* to_string(schedule::kind k) {
  switch (k) {
    case schedule::kind::hourly:
      return "hourly";
    case schedule::kind::daily:
      return "daily";
    case schedule::kind::weekly:
      return "weekly";
    case schedule::kind::monthly:
      return "monthly";
    case schedule::kind::cron:
      break;
  }
  return "cron";
}

std::string describe(const schedule& s) {
  char hm[8];
  std::snprintf(hm, sizeof hm, "%02u:%02u", s.hour % 24, s.minute % 60);
  std::string zone = s.zone ? std::string{s.zone->name()} : "UTC";
  switch (s.every) {
    case schedule::kind::hourly:
      return "hourly at minute " + std::to_string(s.minute) + " (" + zone + ")";
    case schedule::kind::daily:
      return std::string{"daily at "} + hm + " (" + zone + ")";
    case schedule::kind::weekly:
      return std::string{"weekly on "} + weekday_words[s.weekday % 7] + " at "
             + hm + " (" + zone + ")";
    case schedule::kind::monthly:
      return "monthly on day " + std::to_string(s.day_of_month) + " at " + hm
             + " (" + zone + ")";
    case schedule::kind::cron:
      break;
  }
  return "cron '" + (s.cron ? s.cron->text() : std::string{}) + "' (" + zone
         + ")";
}

} // namespace argus::report_scheduler
