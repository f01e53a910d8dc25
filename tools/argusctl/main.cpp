// argusctl: inspects argus databases and configurations.
//
//   argusctl status --db FILE [-o table|json]
//   argusctl check-config FILE [-o table|json]
//   argusctl trace CID --db FILE [-o table|json]
//   argusctl export CID --db FILE --format otlp|json|msgpack [--out FILE]
//
// Exit codes: 0 success, 1 the command failed (e.g. unreadable database),
// 2 invalid input (bad flags, config with errors).

#include "actors/tracer_export.hpp"
#include "config/load.hpp"
#include "messages/error.hpp"
#include "storage/reader.hpp"
#include "storage/schema.hpp"

#include <fstream>
#include <iomanip>
#include <iostream>
#include <variant>

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

/// The stored spans of `cid`, or an exit code with the reason printed.
std::variant<std::vector<argus::span_recorded>, int>
load_spans(const std::string& db, const std::string& cid) {
  auto corr = argus::correlation_id::parse(cid);
  if (!corr) {
    std::cerr << "argusctl: " << argus::describe(corr.error()) << "\n";
    return 2;
  }
  auto reader = argus::storage::db_reader::open(db);
  if (!reader) {
    std::cerr << "argusctl: " << argus::describe(reader.error()) << "\n";
    return 1;
  }
  auto spans = (*reader)->spans_for(*corr);
  if (!spans) {
    std::cerr << "argusctl: " << argus::describe(spans.error()) << "\n";
    return 1;
  }
  if (spans->empty()) {
    std::cerr << "argusctl: no spans stored for correlation id '" << cid
              << "' in " << db << "\n";
    return 1;
  }
  return std::move(*spans);
}

int cmd_trace(const std::string& db, const std::string& cid,
              const std::string& output) {
  auto spans = load_spans(db, cid);
  if (auto code = std::get_if<int>(&spans))
    return *code;
  const auto& xs = std::get<std::vector<argus::span_recorded>>(spans);
  if (output == "json")
    std::cout << argus::to_trace_json(xs).dump(2) << "\n";
  else
    std::cout << argus::render_waterfall(xs);
  return 0;
}

int cmd_export(const std::string& db, const std::string& cid,
               const std::string& format, const std::string& out_path) {
  auto spans = load_spans(db, cid);
  if (auto code = std::get_if<int>(&spans))
    return *code;
  const auto& xs = std::get<std::vector<argus::span_recorded>>(spans);
  std::string bytes;
  if (format == "otlp")
    bytes = argus::to_otlp_json(xs).dump(2) + "\n";
  else if (format == "json")
    bytes = argus::to_trace_json(xs).dump(2) + "\n";
  else
    bytes = argus::to_trace_msgpack(xs.front().hdr.corr, xs);
  if (out_path.empty() || out_path == "-") {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return 0;
  }
  std::ofstream out{out_path, std::ios::binary};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << "argusctl: cannot write " << out_path << "\n";
    return 1;
  }
  return 0;
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

  std::string cid;
  auto trace = app.add_subcommand(
    "trace", "the waterfall of one request's spans, critical path marked");
  trace->add_option("cid", cid, "correlation id")->required();
  trace->add_option("--db", db, "SQLite file written by argusd")->required();
  add_output(trace);

  std::string format = "otlp";
  std::string out_path;
  auto exp = app.add_subcommand(
    "export", "one request's spans as OTLP/JSON, argus JSON or msgpack");
  exp->add_option("cid", cid, "correlation id")->required();
  exp->add_option("--db", db, "SQLite file written by argusd")->required();
  exp->add_option("--format", format, "otlp, json or msgpack")
    ->check(CLI::IsMember({"otlp", "json", "msgpack"}));
  exp->add_option("--out", out_path, "file to write (default: stdout)");

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
  if (*trace)
    return cmd_trace(db, cid, output);
  if (*exp)
    return cmd_export(db, cid, format, out_path);
  return 2;
}
