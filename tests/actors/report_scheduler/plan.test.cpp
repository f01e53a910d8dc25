#include "actors/report_scheduler/plan.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace argus;
using namespace argus::report_scheduler;
using namespace std::chrono;
using nlohmann::json;

namespace {

sys_seconds utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
  return date::sys_days{date::year{y} / mo / d} + hours{h} + minutes{mi};
}

std::string show(sys_seconds t) {
  return date::format("%Y-%m-%d %H:%MZ", t);
}

report_plan loaded(const config::report_scheduler_config& cfg) {
  report_plan plan;
  std::string error;
  INFO(error);
  REQUIRE(plan.load(cfg, error));
  return plan;
}

} // namespace

TEST_CASE("the spec's four reports run on their schedules, each once per "
          "due time") {
  config::report_scheduler_config cfg;
  auto plan = loaded(cfg);
  REQUIRE(plan.reports().size() == 4);
  // Tuesday 2026-12-01 05:00 UTC.
  auto none = plan.start(utc(2026, 12, 1, 5), {}, seconds{hours{6}});
  CHECK(none.empty());
  REQUIRE(plan.earliest());
  CHECK(show(*plan.earliest()) == "2026-12-01 06:00Z");
  CHECK(plan.take_due(utc(2026, 12, 1, 5, 59)).empty());
  auto due = plan.take_due(utc(2026, 12, 1, 6));
  std::vector<std::string> names;
  for (const auto& d : due)
    names.push_back(d.name);
  // Daily: performance and risk; executive and model analysis are weekly
  // (Monday).
  CHECK(names == std::vector<std::string>{"performance_summary",
                                          "risk_assessment"});
  for (const auto& d : due)
    CHECK(show(d.at) == "2026-12-01 06:00Z");
  // Taken: not due again until tomorrow.
  CHECK(plan.take_due(utc(2026, 12, 1, 6, 1)).empty());
  CHECK(show(*plan.find("performance_summary")->next) == "2026-12-02 06:00Z");
  CHECK(show(*plan.find("model_analysis")->next) == "2026-12-07 06:00Z");
  // The schedule as the API shows it: local time in the zone.
  auto j = plan.to_json();
  REQUIRE(j.size() == 4);
  CHECK(j[0]["name"] == "executive_summary");
  CHECK(j[0]["next_run"] == "2026-12-07T06:00:00Z");
}

TEST_CASE("a run late by more than one period runs once, at the time it "
          "is taken") {
  config::report_scheduler_config cfg;
  cfg.reports = {{"hourly_risk",
                  {"risk_assessment", "hourly", "00:15", "monday", 1, "UTC",
                   config::report_format::json, {}, true}}};
  auto plan = loaded(cfg);
  plan.start(utc(2026, 12, 1, 5), {}, seconds{hours{1}});
  CHECK(show(*plan.earliest()) == "2026-12-01 05:15Z");
  // The process slept three hours (a suspended laptop): one run, then the
  // next in the future.
  auto due = plan.take_due(utc(2026, 12, 1, 8, 20));
  REQUIRE(due.size() == 1);
  CHECK(show(due[0].at) == "2026-12-01 05:15Z");
  CHECK(show(*plan.earliest()) == "2026-12-01 09:15Z");
}

TEST_CASE("disabled reports and a disabled scheduler plan nothing") {
  config::report_scheduler_config cfg;
  cfg.reports["risk_assessment"].enabled = false;
  auto plan = loaded(cfg);
  plan.start(utc(2026, 12, 1, 5), {}, seconds{hours{6}});
  CHECK_FALSE(plan.find("risk_assessment")->next);
  CHECK(plan.find("performance_summary")->next);
  cfg.enable_automated_reports = false;
  auto off = loaded(cfg);
  off.start(utc(2026, 12, 1, 5), {}, seconds{hours{6}});
  CHECK_FALSE(off.earliest());
  CHECK(off.take_due(utc(2027, 1, 1)).empty());
}

TEST_CASE("a report missed while argusd was down runs at start") {
  config::report_scheduler_config cfg;
  auto plan = loaded(cfg);
  // The last daily performance summary ran on 30 Nov; it is 1 Dec 07:00.
  std::map<std::string, sys_seconds> last{
    {"performance_summary", utc(2026, 11, 30, 6)},
    {"risk_assessment", utc(2026, 12, 1, 6)}};
  auto now = plan.start(utc(2026, 12, 1, 7), last, seconds{hours{6}});
  REQUIRE(now.size() == 1);
  CHECK(now[0].name == "performance_summary");
  CHECK(show(*plan.find("performance_summary")->next) == "2026-12-02 06:00Z");
  CHECK(show(*plan.find("risk_assessment")->next) == "2026-12-02 06:00Z");
}

TEST_CASE("custom reports are added at run time and checked like "
          "configured ones") {
  config::report_scheduler_config cfg;
  auto plan = loaded(cfg);
  plan.start(utc(2026, 12, 1, 5), {}, seconds{hours{6}});
  std::string error;
  config::report_definition d;
  d.type = "risk_assessment";
  d.schedule = "0 */4 * * 1-5";
  d.time_zone = "America/New_York";
  d.recipients = {"risk@example.com"};
  REQUIRE(plan.put("intraday_risk", d, utc(2026, 12, 1, 5), true, error));
  const auto* p = plan.find("intraday_risk");
  REQUIRE(p);
  CHECK(p->custom);
  // 00:00 New York on Tuesday is 05:00 UTC; the next is 04:00 local.
  CHECK(show(*p->next) == "2026-12-01 09:00Z");

  auto refused = [&](const std::string& name, config::report_definition def,
                     const char* why) {
    std::string e;
    CHECK_FALSE(plan.put(name, def, utc(2026, 12, 1, 5), true, e));
    CHECK_MESSAGE(e.find(why) != std::string::npos, e);
  };
  refused("bad name!", d, "letters, digits");
  refused("", d, "letters, digits");
  auto x = d;
  x.type = "weekly_digest";
  refused("digest", x, "unknown report type 'weekly_digest'");
  x = d;
  x.recipients = {"not-an-address"};
  refused("r", x, "'not-an-address' is not an e-mail address");
  x = d;
  x.schedule = "0 25 * * *";
  refused("r", x, "25");
  x = d;
  x.time_zone = "Mars/Olympus";
  refused("r", x, "Mars/Olympus");
  // An entry named after a type needs no type.
  auto y = d;
  y.type.clear();
  CHECK(plan.put("executive_summary", y, utc(2026, 12, 1, 5), true, error));
  refused("my_summary", y, "unknown report type 'my_summary'");
}

TEST_CASE("a scheduled run covers the period that ends at it") {
  std::string error;
  auto daily = schedule_from_words("daily", "06:00", "monday", 1,
                                   "Europe/Berlin", error);
  REQUIRE(daily);
  auto [f, t] = period_of(*daily, utc(2026, 12, 1, 5));
  CHECK(show(f) == "2026-11-30 05:00Z");
  CHECK(show(t) == "2026-12-01 05:00Z");
  auto weekly = schedule_from_words("weekly", "06:00", "monday", 1, "UTC",
                                    error);
  REQUIRE(weekly);
  CHECK(show(period_of(*weekly, utc(2026, 12, 7, 6)).first)
        == "2026-11-30 06:00Z");
  // Monthly: the calendar month in the zone, across Berlin's switch to
  // winter time (1 Nov 06:00 CET is 05:00Z; 1 Oct 06:00 CEST is 04:00Z).
  auto monthly = schedule_from_words("monthly", "06:00", "monday", 1,
                                     "Europe/Berlin", error);
  REQUIRE(monthly);
  CHECK(show(period_of(*monthly, utc(2026, 11, 1, 5)).first)
        == "2026-10-01 04:00Z");
  // The 31st in March reaches back to the last day of February.
  auto end_of_month = schedule_from_words("monthly", "00:00", "monday", 31,
                                          "UTC", error);
  REQUIRE(end_of_month);
  CHECK(show(period_of(*end_of_month, utc(2026, 3, 31)).first)
        == "2026-02-28 00:00Z");
  // Cron: the gap to its next run.
  auto every_four = schedule_from_words("0 */4 * * *", "06:00", "monday", 1, "UTC",
                                        error);
  INFO(error);
  REQUIRE(every_four);
  CHECK(show(period_of(*every_four, utc(2026, 12, 1, 8)).first)
        == "2026-12-01 04:00Z");
}

TEST_CASE("report definitions round-trip through JSON, and bad fields are "
          "named") {
  config::report_definition d;
  d.type = "model_analysis";
  d.schedule = "weekly";
  d.weekday = "friday";
  d.at = "17:30";
  d.time_zone = "Asia/Tokyo";
  d.format = config::report_format::html;
  d.recipients = {"ml@example.com", "lead@example.com"};
  d.enabled = false;
  std::string error;
  auto back = definition_from_json(to_json(d), {}, error);
  REQUIRE(back);
  CHECK(back->type == d.type);
  CHECK(back->weekday == "friday");
  CHECK(back->at == "17:30");
  CHECK(back->time_zone == "Asia/Tokyo");
  CHECK(back->format == config::report_format::html);
  CHECK(back->recipients == d.recipients);
  CHECK_FALSE(back->enabled);
  // Defaults fill what is not given (the spec's report_type is accepted).
  config::report_definition defaults;
  defaults.recipients = {"admin@example.com"};
  auto partial = definition_from_json(
    json{{"report_type", "risk_assessment"}, {"schedule", "daily"}}, defaults,
    error);
  REQUIRE(partial);
  CHECK(partial->type == "risk_assessment");
  CHECK(partial->recipients == defaults.recipients);

  auto refused = [&](const json& j, const char* why) {
    std::string e;
    CHECK_FALSE(definition_from_json(j, defaults, e));
    CHECK_MESSAGE(e.find(why) != std::string::npos, e);
  };
  refused(json::array(), "JSON object");
  refused(json{{"format", "docx"}}, "'format' must be pdf, html or json");
  refused(json{{"recipients", "a@example.com"}}, "list of addresses");
  refused(json{{"recipients", {1, 2}}}, "list of addresses");
  refused(json{{"day_of_month", 0}}, "1-31");
  refused(json{{"day_of_month", -3}}, "1-31");
  refused(json{{"enabled", "yes"}}, "true or false");
  refused(json{{"schedule", 5}}, "'schedule' must be text");
  refused(json{{"colour", "red"}}, "unknown field 'colour'");
}

TEST_CASE("reports that name no zone run in the section's time zone") {
  config::report_scheduler_config cfg;
  cfg.time_zone = "Europe/Berlin";
  cfg.reports["risk_assessment"].time_zone = "Asia/Tokyo";
  auto plan = loaded(cfg);
  plan.start(utc(2026, 12, 1, 3), {}, seconds{hours{6}});
  // 06:00 in Berlin (CET) is 05:00Z; in Tokyo it was 21:00Z the day before.
  CHECK(show(*plan.find("performance_summary")->next) == "2026-12-01 05:00Z");
  CHECK(show(*plan.find("risk_assessment")->next) == "2026-12-01 21:00Z");
  // So do reports added at run time.
  config::report_definition d;
  d.type = "executive_summary";
  std::string error;
  REQUIRE(plan.put("desk", d, utc(2026, 12, 1, 3), true, error));
  CHECK(plan.find("desk")->definition.time_zone == "Europe/Berlin");
}
