#include "actors/report_scheduler/runner.hpp"

#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/database.hpp"
#include "tests/support/temp_dir.hpp"

using namespace argus;
using namespace argus::report_scheduler;
using namespace std::chrono;

namespace {

sys_seconds utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
  return date::sys_days{date::year{y} / mo / d} + hours{h} + minutes{mi};
}

report_generated run(const char* type, const char* name, sys_seconds at) {
  report_generated g;
  g.report_type = type;
  g.report_name = name;
  g.schedule_type = "daily";
  g.status = "sent";
  g.generated_at_ns = to_ns(at);
  return g;
}

db_row custom(const std::string& name, const nlohmann::json& def) {
  db_row row;
  row.table = table_id::report_configs;
  row.values = {db_value::of(name), db_value::of(def.dump()),
                db_value::of(int64_t{1})};
  return row;
}

} // namespace

TEST_CASE("the plan restored from the database: custom reports, and each "
          "entry's own latest run, even when two entries share a type") {
  test::database_fixture fx;
  config::report_scheduler_config cfg;
  cfg.catch_up_grace = hours{6};
  // Two daily risk reports: the configured one ran today at 06:00, the
  // custom one last ran yesterday (argusd was down at today's 06:30).
  fx.write({custom("desk_risk", {{"type", "risk_assessment"},
                                 {"schedule", "daily"},
                                 {"at", "06:30"}}),
            custom("broken", {{"type", "risk_assessment"},
                              {"schedule", "every day"}}),
            storage::to_row(run("risk_assessment", "risk_assessment",
                                utc(2026, 12, 1, 6))),
            *storage::entry_row(run("risk_assessment", "risk_assessment",
                                    utc(2026, 12, 1, 6))),
            storage::to_row(run("risk_assessment", "desk_risk",
                                utc(2026, 11, 30, 6, 30))),
            *storage::entry_row(run("risk_assessment", "desk_risk",
                                    utc(2026, 11, 30, 6, 30))),
            // From before report_entries: keyed by its type, which was
            // then the entry's name.
            [] {
              auto g = run("performance_summary", "", utc(2026, 11, 30, 6));
              return storage::to_row(g);
            }()});
  report_plan plan;
  std::string error;
  REQUIRE(plan.load(cfg, error));
  auto reader = fx.reader();
  std::vector<std::string> skipped;
  auto due = restore_plan(plan, cfg, reader.get(), utc(2026, 12, 1, 7),
                          skipped);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].find("broken") == 0);
  const auto* desk = plan.find("desk_risk");
  REQUIRE(desk);
  CHECK(desk->custom);
  std::vector<std::string> names;
  for (const auto& d : due)
    names.push_back(d.name);
  // desk_risk missed today's 06:30 and performance_summary today's 06:00;
  // risk_assessment ran and is not repeated.
  CHECK(names == std::vector<std::string>{"desk_risk", "performance_summary"});

  // No database: the configured reports, nothing to catch up.
  report_plan fresh;
  REQUIRE(fresh.load(cfg, error));
  skipped.clear();
  CHECK(restore_plan(fresh, cfg, nullptr, utc(2026, 12, 1, 7), skipped)
          .empty());
  CHECK(fresh.reports().size() == 4);
}

TEST_CASE("report files go next to the database and old ones are pruned") {
  CHECK(output_directory("reports", "/var/lib/argus/argus.db")
        == "/var/lib/argus/reports");
  CHECK(output_directory("/srv/reports", "/var/lib/argus/argus.db")
        == "/srv/reports");
  test::temp_dir dir;
  auto folder = std::filesystem::path{dir.path()} / "reports";
  std::filesystem::create_directories(folder);
  auto now = system_clock::now();
  auto touch = [&](const std::string& name, hours age) {
    auto p = folder / name;
    std::ofstream{p} << "x";
    std::filesystem::last_write_time(
      p, std::filesystem::file_time_type::clock::now() - age);
  };
  touch("risk_assessment-1.pdf", hours{24 * 100});
  touch("risk_assessment-2.pdf", hours{48});
  touch("risk_assessment-3.pdf", hours{24});
  touch("performance_summary-4.html", hours{1});
  touch("notes.txt", hours{24 * 365}); // not a report: never touched
  auto now_ns = duration_cast<nanoseconds>(now.time_since_epoch()).count();
  // Older than 90 days: one; then at most 2 files: the oldest goes too.
  CHECK(prune_report_files(folder.string(), 2, hours{24 * 90}, now_ns) == 2);
  CHECK_FALSE(std::filesystem::exists(folder / "risk_assessment-1.pdf"));
  CHECK_FALSE(std::filesystem::exists(folder / "risk_assessment-2.pdf"));
  CHECK(std::filesystem::exists(folder / "risk_assessment-3.pdf"));
  CHECK(std::filesystem::exists(folder / "performance_summary-4.html"));
  CHECK(std::filesystem::exists(folder / "notes.txt"));
}
