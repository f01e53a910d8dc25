#include "storage/schema.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include <nlohmann/json.hpp>

using namespace argus;

TEST_CASE("argusctl status explains a missing database") {
  auto r = test::run({ARGUSCTL_PATH, "status", "--db", "/nonexistent/x.db"});
  CHECK(r.code == 1);
  CHECK(r.err.find("does not exist") != std::string::npos);
}

TEST_CASE("argusctl status shows a fresh database's schema and tables") {
  test::temp_dir dir;
  // The embedding example writes two rows into a new database.
  auto db = dir.file("embed.db");
  auto ex = test::run(
    {EMBED_EXAMPLE_PATH,
     std::string{ARGUS_SOURCE_DIR} + "/config/examples/minimal.yaml", db});
  REQUIRE(ex.code == 0);
  // Two events, plus the dashboard's rollups if a minute closed meanwhile.
  auto at = ex.out.find("committed rows: ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stoll(ex.out.substr(at + 16)) >= 2);
  auto r = test::run({ARGUSCTL_PATH, "status", "--db", db});
  CHECK(r.code == 0);
  auto latest = std::to_string(storage::latest_schema_version());
  CHECK(r.out.find("SCHEMA VERSION  " + latest + " (latest " + latest + ")")
        != std::string::npos);
  CHECK(r.out.find("regime_tracking           1") != std::string::npos);
  CHECK(r.out.find("ensemble_tracking         1") != std::string::npos);
}

TEST_CASE("argusctl check-config -o json lists diagnostics with lines") {
  test::temp_dir dir;
  auto bad = dir.write("bad.yaml", "monitoring:\n  ml_monitor:\n"
                                   "    drift_detection_methods: [magic]\n");
  auto r = test::run({ARGUSCTL_PATH, "check-config", bad, "-o", "json"});
  CHECK(r.code == 2);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["ok"] == false);
  REQUIRE(j["diagnostics"].size() == 1);
  CHECK(j["diagnostics"][0]["path"]
        == "monitoring.ml_monitor.drift_detection_methods[0]");
  CHECK(j["diagnostics"][0]["line"] == 3);
}

TEST_CASE("argusctl check-config prints the effective config with the "
          "password masked") {
  test::temp_dir dir;
  auto good
    = dir.write("good.yaml", "monitoring:\n  report_scheduler:\n    email:\n"
                             "      password: ${ARGUS_TEST_SMTP_PW}\n");
  ::setenv("ARGUS_TEST_SMTP_PW", "Xy9-not-for-eyes", 1);
  auto r = test::run({ARGUSCTL_PATH, "check-config", good, "-o", "json"});
  ::unsetenv("ARGUS_TEST_SMTP_PW");
  CHECK(r.code == 0);
  CHECK(r.out.find("Xy9-not-for-eyes") == std::string::npos);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["config"]["report_scheduler"]["email"]["password"] == "***");
  CHECK(j["config"]["advanced_tracer"]["trace_sampling_rate"] == 1.0);
  auto table = test::run({ARGUSCTL_PATH, "check-config", good});
  CHECK(table.code == 2); // the variable is unset now
  CHECK(table.out.find("ARGUS_TEST_SMTP_PW") != std::string::npos);
}

TEST_CASE("argusctl rejects unknown commands and options") {
  CHECK(test::run({ARGUSCTL_PATH, "frobnicate"}).code == 2);
  CHECK(test::run({ARGUSCTL_PATH, "status", "--db", "x", "-o", "yaml"}).code
        == 2);
}
