#pragma once

// argusctl's command table: each group of commands registers its
// subcommands, their options and what runs them; `main` parses and runs the
// one given.

#include "messages/numbers.hpp"

#include <functional>
#include <string>
#include <vector>

#include "tools/argusctl/common.hpp"
#include <CLI/CLI.hpp>

namespace argus::ctl {

/// One command: its place in the command line and what runs it (returning
/// the exit code).
struct command {
  CLI::App* app;
  std::function<int()> run;
};

/// Every command, a subcommand before its parent (both are "parsed" when
/// the subcommand is given).
using command_table = std::vector<command>;

/// Adds `-o,--output table|json|yaml` and `--no-headers` to `cmd`.
inline void add_output(CLI::App* cmd, std::string& output) {
  cmd->add_option("-o,--output", output, "table, json or yaml")
    ->check(CLI::IsMember({"table", "json", "yaml"}));
  cmd->add_flag_callback(
    "--no-headers",
    [] {
      text_table::show_headers(false);
    },
    "tables without their header line");
}

/// A check for a flag that takes a decimal number (`parse_decimal`: no
/// `0x...`, no `inf` or `nan`) for which `in_range` holds; `range` says
/// which numbers those are, for the error.
inline CLI::Validator decimal_number(std::string range,
                                     std::function<bool(double)> in_range) {
  return CLI::Validator{[range, in_range](std::string& text) -> std::string {
                          auto x = parse_decimal(text);
                          if (!x)
                            return "'" + text + "' is not a decimal number";
                          if (!in_range(*x))
                            return "must be " + range + ", got " + text;
                          return {};
                        },
                        "NUMBER"};
}

/// Adds `--limit N` (at least 1) to `cmd`: the most rows a list shows.
inline CLI::Option* add_limit(CLI::App* cmd, size_t& limit) {
  return cmd
    ->add_option("--limit", limit,
                 "show at most N rows (default " + std::to_string(limit) + ")")
    ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
}

/// The range of an aggregating command without `--since`: its time then
/// depends on how busy the bot is, not on how long it has run.
inline constexpr const char* default_since = "1h";

/// Adds `--since DURATION` to `cmd` (default `default_since`, `all` for
/// everything stored).
inline CLI::Option* add_since(CLI::App* cmd, std::string& since) {
  since = default_since;
  return cmd->add_option("--since", since,
                         std::string{"only the last DURATION (default "}
                           + default_since + "; 'all': everything stored)");
}

/// Adds `--db FILE` to `cmd`, required unless `required` is false or the
/// command asks a server (`require_db`).
inline CLI::Option* add_db(CLI::App* cmd, std::string& db,
                           bool required = true) {
  return cmd
    ->add_option("--db", db,
                 "SQLite file written by argusd (default: $ARGUS_DB)")
    ->envname("ARGUS_DB")
    ->required(required && db_required());
}

/// status, check-config.
void add_status_commands(CLI::App& app, command_table& table);
/// trace, export, traces, correlations stats.
void add_trace_commands(CLI::App& app, command_table& table);
/// metrics list|get|--prom, health, trading.
void add_metrics_commands(CLI::App& app, command_table& table);
/// drift-test, detect, models, drift, model.
void add_ml_commands(CLI::App& app, command_table& table);
/// tracking regimes|ensembles|features|decisions.
void add_tracking_commands(CLI::App& app, command_table& table);
/// audit verify|list.
void add_audit_commands(CLI::App& app, command_table& table);

struct server_options;

/// `reports`: with `server` (when it names a URL) `list`, `schedule` and
/// `generate` ask argusd's report routes instead of the database.
void add_report_commands(CLI::App& app, command_table& table,
                         const server_options* server);

} // namespace argus::ctl
