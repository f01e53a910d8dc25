// argusctl: inspects argus databases and configurations.
//
//   argusctl status --db FILE [-o table|json]
//   argusctl check-config FILE [-o table|json]
//
// Exit codes: 0 success, 1 the command failed (e.g. unreadable database),
// 2 invalid input (bad flags, config with errors).

#include "config/load.hpp"
#include "messages/error.hpp"
#include "storage/reader.hpp"
#include "storage/schema.hpp"

#include <iomanip>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

std::string iso_time(int64_t ns) {
  return ns == 0 ? std::string{"never"}
                 : argus::storage::sql_datetime(ns) + "Z";
}

int cmd_status(const std::string& db, const std::string& output) {
  auto reader = argus::storage::db_reader::open(db);
  if (!reader) {
    std::cerr << "argusctl: " << argus::describe(reader.error()) << "\n";
    return 1;
  }
  auto summary = (*reader)->summary();
  if (!summary) {
    std::cerr << "argusctl: " << argus::describe(summary.error()) << "\n";
    return 1;
  }
  const auto& s = *summary;
  if (output == "json") {
    json j{{"database", s.path},
           {"schema_version", s.schema_version},
           {"latest_schema_version", s.latest_schema_version},
           {"journal_mode", s.journal_mode},
           {"last_write_ns", s.last_write_ns},
           {"last_write", iso_time(s.last_write_ns)},
           {"rows", s.rows}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "DATABASE        " << s.path << "\n"
            << "SCHEMA VERSION  " << s.schema_version << " (latest "
            << s.latest_schema_version << ")\n"
            << "JOURNAL MODE    " << s.journal_mode << "\n"
            << "LAST WRITE      " << iso_time(s.last_write_ns) << "\n\n"
            << std::left << std::setw(26) << "TABLE"
            << "ROWS\n";
  for (const auto& [table, rows] : s.rows)
    std::cout << std::left << std::setw(26) << table << rows << "\n";
  return 0;
}

int cmd_check_config(const std::string& path, const std::string& output) {
  auto result = argus::config::load_file(path);
  if (output == "json") {
    json diags = json::array();
    for (const auto& d : result.diagnostics)
      diags.push_back({{"path", d.path},
                       {"line", d.line},
                       {"column", d.column},
                       {"message", d.message}});
    json j{{"file", path}, {"ok", result.ok()}, {"diagnostics", diags}};
    if (result.ok())
      j["config"] = argus::config::to_json(*result.config);
    std::cout << j.dump(2) << "\n";
    return result.ok() ? 0 : 2;
  }
  if (result.ok()) {
    std::cout << "ok\n";
    return 0;
  }
  std::cout << std::left << std::setw(8) << "LINE" << std::setw(8) << "COLUMN"
            << std::setw(56) << "KEY"
            << "PROBLEM\n";
  for (const auto& d : result.diagnostics)
    std::cout << std::left << std::setw(8) << d.line << std::setw(8) << d.column
              << std::setw(56) << (d.path.empty() ? "-" : d.path) << d.message
              << "\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"argusctl: inspect argus databases and configurations"};
  app.require_subcommand(1);
  std::string output = "table";
  auto add_output = [&](CLI::App* cmd) {
    cmd->add_option("-o,--output", output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  };

  std::string db;
  auto status = app.add_subcommand(
    "status", "schema version, rows per table and last write of a database");
  status->add_option("--db", db, "SQLite file written by argusd")->required();
  add_output(status);

  std::string config_path;
  auto check
    = app.add_subcommand("check-config", "validate a configuration file");
  check->add_option("file", config_path, "YAML configuration")->required();
  add_output(check);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    auto code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*status)
    return cmd_status(db, output);
  if (*check)
    return cmd_check_config(config_path, output);
  return 2;
}
