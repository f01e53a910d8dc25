// argusctl status --db FILE [-o table|json]
// argusctl check-config FILE [-o table|json]

#include "config/load.hpp"
#include "messages/json_text.hpp"

#include <iostream>
#include <memory>

#include "tools/argusctl/commands.hpp"
#include "tools/argusctl/common.hpp"
#include <nlohmann/json.hpp>

namespace argus::ctl {

namespace {

using nlohmann::json;

int status(const std::string& db, const std::string& output) {
  auto reader = open_db(db);
  if (!reader)
    return exit_failed;
  auto summary = reader->summary();
  if (!ok(summary))
    return exit_failed;
  const auto& s = *summary;
  if (structured(output)) {
    json j{{"database", s.path},
           {"schema_version", s.schema_version},
           {"latest_schema_version", s.latest_schema_version},
           {"journal_mode", s.journal_mode},
           {"last_write_ns", s.last_write_ns},
           {"last_write", time_text(s.last_write_ns)},
           {"rows", s.rows},
           {"rows_estimated", s.estimated}};
    print_structured(j, output);
    return 0;
  }
  out() << "DATABASE        " << s.path << "\n"
        << "SCHEMA VERSION  " << s.schema_version << " (latest "
        << s.latest_schema_version << ")\n"
        << "JOURNAL MODE    " << s.journal_mode << "\n"
        << "LAST WRITE      " << time_text(s.last_write_ns) << "\n\n";
  text_table table{{"TABLE", "ROWS"}};
  for (const auto& [name, rows] : s.rows)
    table.add({name, std::string{s.estimated.count(name) ? "~" : ""}
                       + std::to_string(rows)});
  table.print(out());
  if (!s.estimated.empty())
    out() << "(~: more than " << storage::exact_row_limit
          << " rows, estimated from the table's row ids)\n";
  return 0;
}

int check_config(const std::string& path, const std::string& output) {
  auto result = config::load_file(path);
  if (structured(output)) {
    json diags = json::array();
    for (const auto& d : result.diagnostics)
      diags.push_back({{"path", d.path},
                       {"line", d.line},
                       {"column", d.column},
                       {"message", d.message}});
    json j{{"file", path}, {"ok", result.ok()}, {"diagnostics", diags}};
    if (result.ok())
      j["config"] = config::to_json(*result.config);
    print_structured(j, output);
    return result.ok() ? 0 : exit_usage;
  }
  if (result.ok()) {
    out() << "ok\n";
    return 0;
  }
  text_table table{{"LINE", "COLUMN", "KEY", "PROBLEM"}};
  for (const auto& d : result.diagnostics)
    table.add({std::to_string(d.line), std::to_string(d.column),
               d.path.empty() ? "-" : d.path, d.message});
  table.print(out());
  return exit_usage;
}

} // namespace

void add_status_commands(CLI::App& app, command_table& table) {
  struct options {
    std::string db;
    std::string config;
    std::string output = "table";
  };
  auto o = std::make_shared<options>();
  auto st = app.add_subcommand(
    "status", "schema version, rows per table and last write of a database");
  add_db(st, o->db);
  add_output(st, o->output);
  table.push_back({st, [o] {
                     return status(o->db, o->output);
                   }});
  auto check
    = app.add_subcommand("check-config", "validate a configuration file");
  check->add_option("file", o->config, "YAML configuration")->required();
  add_output(check, o->output);
  table.push_back({check, [o] {
                     return check_config(o->config, o->output);
                   }});
}

} // namespace argus::ctl
