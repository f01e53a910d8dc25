// argusctl reports list     [--config FILE] --db FILE [-o table|json|yaml]
// argusctl reports schedule [--config FILE] --db FILE [-o ...]
// argusctl reports history  --db FILE [--type T] [--limit N] [-o ...]
// argusctl reports generate TYPE [--config FILE] --db FILE [--format pdf]
//                           [--since 24h] [--until now] [--time-zone Z]
//                           [--out FILE] [--send --to ADDR ...]
//
// Offline, `list` and `schedule` plan the reports as argusd would at start
// (the config's, or the spec's four, and the custom ones stored in the
// database) and `generate` renders with the scheduler's own code. With
// `--server` they ask argusd's report routes instead (its config is the one
// that counts); `history` reads `report_history` either way.

#include "actors/report_scheduler/runner.hpp"
#include "config/load.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "runtime/gateway/params.hpp"
#include "storage/readers/reports.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>

#include "tools/argusctl/commands.hpp"
#include "tools/argusctl/common.hpp"
#include "tools/argusctl/remote.hpp"
#include <nlohmann/json.hpp>

namespace argus::ctl {

namespace {

using nlohmann::json;
namespace rs = report_scheduler;

struct plan_options {
  std::string db;
  std::string config;
  std::string output = "table";
};

/// The engine config `--config` names, or the defaults.
std::optional<config::engine_config> engine_config_of(const std::string& path) {
  if (path.empty())
    return config::engine_config{};
  auto r = config::load_file(path);
  if (!r.ok()) {
    for (const auto& d : r.diagnostics)
      err() << "argusctl: " << path << ": " << config::to_string(d) << "\n";
    return std::nullopt;
  }
  return *r.config;
}

/// Problem answers (`application/problem+json`) say what went wrong in
/// `detail`.
int server_failure(long status, const std::string& answer) {
  auto j = json::parse(answer, nullptr, false);
  std::string detail = j.is_object() && j.contains("detail")
                         ? j["detail"].get<std::string>()
                         : answer.substr(0, 300);
  return fail("the server answered " + std::to_string(status) + ": " + detail);
}

/// The schedule's JSON (`GET /api/reports/schedule`'s `reports`), from the
/// server or planned here.
std::optional<json> schedule_json(const plan_options& o,
                                  const server_options* server) {
  if (server && !server->url.empty()) {
    std::string answer;
    long status = 0;
    auto why = ask_server(*server, "/api/reports/schedule", nullptr, answer,
                          status);
    if (!why.empty()) {
      fail(why);
      return std::nullopt;
    }
    if (status != 200) {
      server_failure(status, answer);
      return std::nullopt;
    }
    auto j = json::parse(answer, nullptr, false);
    if (!j.is_object() || !j.contains("reports")) {
      fail("the server's schedule is not the JSON expected");
      return std::nullopt;
    }
    return j["reports"];
  }
  auto cfg = engine_config_of(o.config);
  if (!cfg)
    return std::nullopt;
  rs::report_plan plan;
  std::string error;
  if (!plan.load(cfg->report_scheduler, error)) {
    fail(error);
    return std::nullopt;
  }
  std::unique_ptr<storage::db_reader> reader;
  if (!o.db.empty()) {
    reader = open_db(o.db);
    if (!reader)
      return std::nullopt;
  }
  std::vector<std::string> skipped;
  rs::restore_plan(plan, cfg->report_scheduler, reader.get(),
                   rs::to_sys(wall_clock_ns()), skipped);
  for (const auto& s : skipped)
    err() << "argusctl: a stored report no longer loads: " << s << "\n";
  return plan.to_json();
}

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string recipients_text(const json& j) {
  std::string s;
  if (j.is_array())
    for (const auto& r : j)
      s += (s.empty() ? "" : ", ") + r.get<std::string>();
  return s.empty() ? "-" : s;
}

/// Prints `rows` as JSON or YAML, or as a table of `headers` with a row
/// `row_of` each; `what` names them when there are none.
int print_rows(const json& rows, const std::string& output, const char* what,
               std::vector<std::string> headers,
               const std::function<std::vector<std::string>(const json&)>&
                 row_of) {
  if (rows.empty())
    return nothing_yet(what, output);
  if (structured(output)) {
    print_structured(rows, output);
    return 0;
  }
  text_table t{std::move(headers)};
  for (const auto& r : rows)
    t.add(row_of(r));
  t.print(out());
  return 0;
}

int list(const plan_options& o, const server_options* server) {
  auto reports = schedule_json(o, server);
  if (!reports)
    return exit_failed;
  return print_rows(
    *reports, o.output, "reports",
    {"NAME", "TYPE", "SCHEDULE", "FORMAT", "RECIPIENTS", "ENABLED", "CUSTOM"},
    [](const json& r) -> std::vector<std::string> {
      return {text_of(r, "name"),
              text_of(r, "type"),
              text_of(r, "schedule_text"),
              text_of(r, "format"),
              recipients_text(r["recipients"]),
              r.value("enabled", false) ? "yes" : "no",
              r.value("custom", false) ? "yes" : "no"};
    });
}

int schedule(const plan_options& o, const server_options* server) {
  auto reports = schedule_json(o, server);
  if (!reports)
    return exit_failed;
  json rows = json::array();
  for (const auto& r : *reports)
    rows.push_back({{"name", r["name"]},
                    {"schedule", r["schedule_text"]},
                    {"next_run", r["next_run"]},
                    {"next_run_local", r["next_run_local"]}});
  return print_rows(
    rows, o.output, "reports",
    {"NAME", "SCHEDULE", "NEXT RUN (UTC)", "NEXT RUN (LOCAL)"},
    [](const json& r) -> std::vector<std::string> {
      return {text_of(r, "name"), text_of(r, "schedule"),
              r["next_run"].is_null() ? "never (disabled)"
                                      : text_of(r, "next_run"),
              text_of(r, "next_run_local")};
    });
}

struct history_options {
  std::string db;
  std::string type;
  size_t limit = 20;
  std::string output = "table";
};

int history(const history_options& o) {
  auto reader = open_db(o.db);
  if (!reader)
    return exit_failed;
  auto rows = storage::report_history(*reader, o.type, o.limit);
  if (!ok(rows))
    return exit_failed;
  auto code = print_rows(
    *rows, o.output, "report runs",
    {"ID", "TYPE", "GENERATED", "SCHEDULE", "STATUS", "RECIPIENTS", "FILE"},
    [](const json& r) -> std::vector<std::string> {
      return {text_of(r, "id"),
              text_of(r, "report_type"),
              text_of(r, "generated_at"),
              text_of(r, "schedule_type"),
              text_of(r, "status"),
              recipients_text(r["recipients"]),
              text_of(r, "file_path")};
    });
  if (!rows->empty() && !structured(o.output))
    note_if_cut(rows->size(), o.limit);
  return code;
}

struct generate_options {
  std::string type;
  std::string db;
  std::string config;
  std::string format = "pdf";
  std::string since = "24h";
  std::string until;
  std::string zone;
  std::string out_path;
  bool send = false;
  std::vector<std::string> to;
};

/// Writes `bytes` to `path` (`-`: standard output).
bool write_file(const std::string& path, const std::string& bytes) {
  if (path == "-") {
    out().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out().flush());
  }
  std::ofstream f{path, std::ios::binary | std::ios::trunc};
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.flush();
  if (!f) {
    fail("cannot write " + path);
    return false;
  }
  return true;
}

std::string default_file(const generate_options& o) {
  rs::run_job job;
  job.type = o.type;
  job.format = o.format == "html"   ? config::report_format::html
               : o.format == "json" ? config::report_format::json
                                    : config::report_format::pdf;
  return rs::report_file_name(job, wall_clock_ns());
}

int generate_on_server(const generate_options& o,
                       const server_options& server) {
  json body{{"type", o.type}, {"format", o.format}, {"since", o.since}};
  if (!o.until.empty())
    body["until"] = o.until;
  if (!o.zone.empty())
    body["time_zone"] = o.zone;
  if (o.send) {
    body["send"] = true;
    if (!o.to.empty())
      body["recipients"] = o.to;
  }
  auto text = dump_json(body);
  std::string answer;
  long status = 0;
  auto why = ask_server(server, "/api/reports/generate", &text, answer,
                        status);
  if (!why.empty())
    return fail(why);
  if (status != 200 && status != 202)
    return server_failure(status, answer);
  if (o.send) {
    auto j = json::parse(answer, nullptr, false);
    out() << "sending " << text_of(j, "type") << " to "
          << recipients_text(j["recipients"]) << " (" << text_of(j, "file")
          << " on the server; `argusctl reports history` shows when it is "
             "sent)\n";
    return 0;
  }
  auto path = o.out_path.empty() ? default_file(o) : o.out_path;
  if (!write_file(path, answer))
    return exit_failed;
  if (path != "-")
    out() << "wrote " << path << " (" << bytes_text(double(answer.size()))
          << ")\n";
  return 0;
}

int generate(const generate_options& o, const server_options* server) {
  if (!rs::known_report_type(o.type))
    return fail("unknown report type '" + o.type
                  + "'; expected performance_summary, model_analysis, "
                    "risk_assessment or executive_summary",
                exit_usage);
  if (server && !server->url.empty())
    return generate_on_server(o, *server);
  if (o.send)
    return fail("--send asks argusd to mail the report (with its SMTP "
                "settings and retries): use it with --server",
                exit_usage);
  auto cfg = engine_config_of(o.config);
  if (!cfg)
    return exit_failed;
  auto now = wall_clock_ns();
  std::string error;
  auto from = gateway::parse_time(o.since, now, error);
  auto to = o.until.empty() ? std::optional<int64_t>{now}
                            : gateway::parse_time(o.until, now, error);
  if (!from || !to)
    return fail("--since/--until: " + error, exit_usage);
  if (*from >= *to)
    return fail("the period is empty: --since must be before --until",
                exit_usage);
  rs::run_job job;
  job.type = o.type;
  job.format = o.format == "html"   ? config::report_format::html
               : o.format == "json" ? config::report_format::json
                                    : config::report_format::pdf;
  job.period = {*from, *to,
                o.zone.empty() ? cfg->report_scheduler.time_zone : o.zone};
  if (!rs::find_zone(job.period.zone, error))
    return fail(error, exit_usage);
  if (!std::filesystem::exists(o.db))
    return fail("no database at " + o.db);
  rs::run_settings settings;
  settings.database_path = o.db;
  settings.trading.starting_capital
    = cfg->metrics_dashboard.trading_starting_capital;
  settings.trading.periods_per_year
    = cfg->metrics_dashboard.trading_periods_per_year;
  auto r = rs::make_report(job, settings, std::nullopt, now);
  if (!ok(r))
    return exit_failed;
  auto path = o.out_path.empty() ? rs::report_file_name(job, now) : o.out_path;
  if (!write_file(path, r->bytes))
    return exit_failed;
  if (path != "-")
    out() << "wrote " << path << " (" << bytes_text(double(r->bytes.size()))
        << (r->doc.empty ? ", nothing happened in the period" : "") << ")\n";
  return 0;
}

} // namespace

void add_report_commands(CLI::App& app, command_table& table,
                         const server_options* server) {
  auto reports = app.add_subcommand(
    "reports", "the report scheduler: its reports, their next runs, its "
               "history, a report now");
  reports->require_subcommand(1);
  auto po = std::make_shared<plan_options>();
  auto l = reports->add_subcommand(
    "list", "the reports: configured (or the spec's four) and added at run "
            "time");
  auto s = reports->add_subcommand(
    "schedule", "when each report runs next, in UTC and in its zone");
  for (auto* cmd : {l, s}) {
    add_db(cmd, po->db, false);
    cmd->add_option("--config", po->config,
                    "argusd's YAML configuration (default: the spec's "
                    "defaults)");
    add_output(cmd, po->output);
  }
  table.push_back({l, [po, server] {
                     return list(*po, server);
                   }});
  table.push_back({s, [po, server] {
                     return schedule(*po, server);
                   }});

  auto ho = std::make_shared<history_options>();
  auto h = reports->add_subcommand("history", "report runs, newest first");
  add_db(h, ho->db);
  h->add_option("--type", ho->type, "only this report type");
  add_limit(h, ho->limit);
  add_output(h, ho->output);
  table.push_back({h, [ho] {
                     return history(*ho);
                   }});

  auto go = std::make_shared<generate_options>();
  auto g = reports->add_subcommand(
    "generate", "render a report now (with --server: argusd renders it, and "
                "mails it with --send)");
  g->add_option("type", go->type,
                "performance_summary, model_analysis, risk_assessment or "
                "executive_summary")
    ->required();
  add_db(g, go->db);
  g->add_option("--config", go->config,
                "argusd's YAML configuration (default: the spec's defaults)");
  g->add_option("--format", go->format, "pdf, html or json")
    ->check(CLI::IsMember({"pdf", "html", "json"}));
  g->add_option("--since", go->since,
                "the period's start: a duration before now (7d), RFC 3339 or "
                "Unix seconds (default 24h)");
  g->add_option("--until", go->until, "the period's end (default now)");
  g->add_option("--time-zone", go->zone,
                "the zone times are shown in (default: the config's)");
  g->add_option("--out", go->out_path,
                "the file to write, - for standard output (default: "
                "TYPE-TIME.FORMAT here)");
  g->add_flag("--send", go->send, "with --server: mail it");
  g->add_option("--to", go->to,
                "with --send: these recipients (default: the report's)");
  table.push_back({g, [go, server] {
                     return generate(*go, server);
                   }});
}

} // namespace argus::ctl
