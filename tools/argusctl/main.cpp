// argusctl: inspects argus databases and configurations.
//
//   argusctl status --db FILE [-o table|json]
//   argusctl check-config FILE [-o table|json]
//   argusctl trace CID --db FILE [-o table|json]
//   argusctl export CID --db FILE --format otlp|json|msgpack [--out FILE]
//   argusctl traces --db FILE (--slowest N | --errors | --latency)
//                   [--since DURATION] [-o table|json]
//   argusctl correlations stats --db FILE [-o table|json]
//   argusctl metrics list|get|--prom ..., health, trading (see
//            metrics_commands.hpp)
//   argusctl drift-test ..., detect ... (see ml_commands.hpp)
//   argusctl tracking regimes|ensembles|features|decisions (see
//   tracking_commands.hpp)
//
// Exit codes: 0 success, 1 the command failed (e.g. unreadable database),
// 2 invalid input (bad flags, config with errors).

#include "actors/correlation_manager.hpp"
#include "actors/tracer_export.hpp"
#include "config/load.hpp"
#include "messages/error.hpp"
#include "messages/time.hpp"
#include "storage/reader.hpp"
#include "storage/schema.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <variant>

#include "tools/argusctl/metrics_commands.hpp"
#include "tools/argusctl/ml_commands.hpp"
#include "tools/argusctl/tracking_commands.hpp"
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
  // And back from the trace to the decision path of the same id.
  size_t steps = 0;
  if (auto reader = argus::storage::db_reader::open(db))
    if (auto path = (*reader)->decision_path(cid))
      steps = path->size();
  auto path_command = "argusctl tracking decisions " + cid + " --db " + db;
  if (output == "json") {
    auto j = argus::to_trace_json(xs);
    if (steps > 0)
      j["decision_path"] = {{"steps", steps}, {"argusctl", path_command}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << argus::render_waterfall(xs);
  if (steps > 0)
    std::cout << "\nDECISION PATH  " << steps << " steps: " << path_command
              << "\n";
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

std::string fmt_ms(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", static_cast<double>(ns) / 1e6);
  return buf;
}

json latency_json(const argus::latency_summary& x) {
  return {{"count", x.count},
          {"p50_ms", x.p50_ns / 1e6},
          {"p95_ms", x.p95_ns / 1e6},
          {"p99_ms", x.p99_ns / 1e6},
          {"max_ms", x.max_ns / 1e6}};
}

std::string latency_columns(const argus::latency_summary& x) {
  std::ostringstream os;
  os << std::left << std::setw(8) << x.count << std::setw(12)
     << fmt_ms(x.p50_ns) << std::setw(12) << fmt_ms(x.p95_ns) << std::setw(12)
     << fmt_ms(x.p99_ns) << fmt_ms(x.max_ns);
  return os.str();
}

int cmd_traces(const std::string& db, size_t slowest, bool errors, bool latency,
               const std::string& since, const std::string& output) {
  int64_t since_ns = 0;
  if (!since.empty()) {
    auto d = argus::config::parse_duration(since);
    if (!d) {
      std::cerr << "argusctl: --since wants a duration like 15m or 1h\n";
      return 2;
    }
    since_ns
      = argus::wall_clock_ns()
        - std::chrono::duration_cast<std::chrono::nanoseconds>(*d).count();
  }
  auto reader = argus::storage::db_reader::open(db);
  if (!reader) {
    std::cerr << "argusctl: " << argus::describe(reader.error()) << "\n";
    return 1;
  }
  auto& r = **reader;
  if (errors) {
    auto groups = r.error_groups(since_ns, 50);
    if (!groups) {
      std::cerr << "argusctl: " << argus::describe(groups.error()) << "\n";
      return 1;
    }
    if (output == "json") {
      json arr = json::array();
      for (const auto& g : *groups)
        arr.push_back({{"component", g.component},
                       {"message", g.message},
                       {"count", g.count},
                       {"last", iso_time(g.last_ns)},
                       {"sample_correlation_ids", g.samples}});
      std::cout << arr.dump(2) << "\n";
      return 0;
    }
    std::cout << std::left << std::setw(8) << "COUNT" << std::setw(13)
              << "COMPONENT" << std::setw(44) << "MESSAGE"
              << "SAMPLES\n";
    for (const auto& g : *groups) {
      std::cout << std::left << std::setw(8) << g.count << std::setw(13)
                << g.component << std::setw(44) << g.message;
      for (const auto& s : g.samples)
        std::cout << s << " ";
      std::cout << "\n";
    }
    return 0;
  }
  if (latency) {
    auto rows = r.span_durations(since_ns);
    if (!rows) {
      std::cerr << "argusctl: " << argus::describe(rows.error()) << "\n";
      return 1;
    }
    std::map<std::pair<std::string, std::string>, std::vector<int64_t>> by_op;
    for (auto& [c, op, d] : *rows)
      by_op[{c, op}].push_back(d);
    json arr = json::array();
    if (output != "json")
      std::cout << std::left << std::setw(13) << "COMPONENT" << std::setw(28)
                << "OPERATION" << std::setw(8) << "SPANS" << std::setw(12)
                << "P50_MS" << std::setw(12) << "P95_MS" << std::setw(12)
                << "P99_MS"
                << "MAX_MS\n";
    for (auto& [key, ds] : by_op) {
      auto s = argus::summarize_latencies(std::move(ds));
      if (output == "json") {
        auto j = latency_json(s);
        j["component"] = key.first;
        j["operation"] = key.second;
        arr.push_back(j);
      } else {
        std::cout << std::left << std::setw(13) << key.first << std::setw(28)
                  << key.second << latency_columns(s) << "\n";
      }
    }
    if (output == "json")
      std::cout << arr.dump(2) << "\n";
    return 0;
  }
  auto traces = r.slowest_traces(since_ns, slowest);
  if (!traces) {
    std::cerr << "argusctl: " << argus::describe(traces.error()) << "\n";
    return 1;
  }
  if (output == "json") {
    json arr = json::array();
    for (const auto& t : *traces)
      arr.push_back({{"correlation_id", t.correlation_id},
                     {"trace_id", t.trace_id},
                     {"start", iso_time(t.start_ns)},
                     {"duration_ms", t.duration_ns / 1e6},
                     {"spans", t.spans},
                     {"errors", t.errors}});
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  std::cout << std::left << std::setw(14) << "DURATION_MS" << std::setw(7)
            << "SPANS" << std::setw(8) << "ERRORS" << std::setw(30) << "START"
            << "CORRELATION_ID\n";
  for (const auto& t : *traces)
    std::cout << std::left << std::setw(14) << fmt_ms(t.duration_ns)
              << std::setw(7) << t.spans << std::setw(8) << t.errors
              << std::setw(30) << iso_time(t.start_ns) << t.correlation_id
              << "\n";
  return 0;
}

int cmd_correlation_stats(const std::string& db, const std::string& output) {
  auto reader = argus::storage::db_reader::open(db);
  if (!reader) {
    std::cerr << "argusctl: " << argus::describe(reader.error()) << "\n";
    return 1;
  }
  auto rows = (*reader)->requests();
  if (!rows) {
    std::cerr << "argusctl: " << argus::describe(rows.error()) << "\n";
    return 1;
  }
  auto stats = argus::summarize_requests(*rows);
  if (output == "json") {
    json paths = json::array();
    for (const auto& p : stats.paths) {
      auto j = latency_json(p.latency);
      j["path"] = p.path;
      j["failed"] = p.failed;
      paths.push_back(j);
    }
    json critical = json::array();
    for (const auto& c : stats.critical_path)
      critical.push_back({{"component", c.component},
                          {"critical_ms", c.critical_ns / 1e6},
                          {"share", c.share},
                          {"requests", c.requests}});
    json errors = json::array();
    for (const auto& e : stats.errors)
      errors.push_back({{"component", e.component},
                        {"type", e.type},
                        {"message", e.message},
                        {"count", e.count},
                        {"sample_correlation_ids", e.samples}});
    std::cout << json{{"requests", rows->size()},
                      {"by_status", stats.by_status},
                      {"latency", latency_json(stats.latency)},
                      {"paths", paths},
                      {"critical_path", critical},
                      {"errors", errors}}
                   .dump(2)
              << "\n";
    return 0;
  }
  std::cout << "REQUESTS  " << rows->size() << "\n";
  for (const auto& [status, n] : stats.by_status)
    std::cout << "  " << std::left << std::setw(12) << status << n << "\n";
  std::cout << "\n"
            << std::left << std::setw(62) << "COMPONENT PATH" << std::setw(8)
            << "COUNT" << std::setw(12) << "P50_MS" << std::setw(12) << "P95_MS"
            << std::setw(12) << "P99_MS"
            << "MAX_MS\n";
  std::cout << std::left << std::setw(62) << "(all)"
            << latency_columns(stats.latency) << "\n";
  for (const auto& p : stats.paths)
    std::cout << std::left << std::setw(62) << p.path
              << latency_columns(p.latency) << "\n";
  if (!stats.critical_path.empty()) {
    std::cout << "\nWHERE THE TIME GOES (critical path, own time)\n"
              << std::left << std::setw(14) << "COMPONENT" << std::setw(10)
              << "SHARE" << std::setw(14) << "TOTAL_MS"
              << "REQUESTS\n";
    for (const auto& c : stats.critical_path) {
      std::ostringstream share;
      share << std::fixed << std::setprecision(1) << c.share * 100 << "%";
      std::cout << std::left << std::setw(14) << c.component << std::setw(10)
                << share.str() << std::setw(14) << fmt_ms(c.critical_ns)
                << c.requests << "\n";
    }
  }
  if (!stats.errors.empty()) {
    std::cout << "\nERRORS (by component and type)\n"
              << std::left << std::setw(8) << "COUNT" << std::setw(13)
              << "COMPONENT" << std::setw(20) << "TYPE" << std::setw(36)
              << "MESSAGE"
              << "SAMPLES\n";
    for (const auto& e : stats.errors) {
      std::cout << std::left << std::setw(8) << e.count << std::setw(13)
                << e.component << std::setw(20) << e.type << std::setw(36)
                << e.message;
      for (const auto& x : e.samples)
        std::cout << x << " ";
      std::cout << "\n";
    }
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

  size_t slowest = 10;
  bool errors = false;
  bool latency = false;
  std::string since;
  auto traces = app.add_subcommand(
    "traces", "slowest traces, errors grouped, or latency per operation");
  traces->add_option("--db", db, "SQLite file written by argusd")->required();
  auto slowest_opt = traces->add_option("--slowest", slowest,
                                        "the N slowest traces (default)");
  auto errors_opt = traces->add_flag("--errors", errors,
                                     "error spans grouped by component "
                                     "and message");
  auto latency_opt = traces->add_flag(
    "--latency", latency, "p50/p95/p99 per component and operation");
  slowest_opt->excludes(errors_opt)->excludes(latency_opt);
  errors_opt->excludes(latency_opt);
  traces->add_option("--since", since, "only the last DURATION (e.g. 1h)");
  add_output(traces);

  auto correlations
    = app.add_subcommand("correlations", "the correlation manager's requests");
  auto stats = correlations->add_subcommand(
    "stats", "requests by status, latency overall and per component path");
  stats->add_option("--db", db, "SQLite file written by argusd")->required();
  add_output(stats);
  correlations->require_subcommand(1);

  std::string window = "1m";
  bool prom = false;
  argus::ctl::trading_basis basis;
  auto add_basis = [&](CLI::App* cmd) {
    cmd->add_option("--capital", basis.starting_capital,
                    "capital returns are measured against (default 10000)");
    cmd->add_option("--periods-per-year", basis.periods_per_year,
                    "daily periods a year for annualising (default 365)");
  };
  auto metrics = app.add_subcommand(
    "metrics", "metric series and their rollups (--prom: Prometheus text)");
  metrics->add_option("--db", db, "SQLite file written by argusd");
  metrics->add_flag("--prom", prom,
                    "every series and the trading figures as Prometheus text");
  metrics->add_option("--window", window, "aggregation window (default 1m)");
  add_basis(metrics);
  auto mlist = metrics->add_subcommand("list", "every series, newest value");
  mlist->add_option("--db", db, "SQLite file written by argusd")->required();
  mlist->add_option("--window", window, "aggregation window (default 1m)");
  add_output(mlist);
  std::string metric_name;
  std::vector<std::string> labels;
  auto mget = metrics->add_subcommand("get", "one metric's rollups over time");
  mget->add_option("name", metric_name, "metric name")->required();
  mget->add_option("--db", db, "SQLite file written by argusd")->required();
  mget->add_option("--window", window, "aggregation window (default 1m)");
  mget->add_option("--labels", labels, "only series with these k=v labels")
    ->delimiter(',');
  mget->add_option("--since", since, "only the last DURATION (e.g. 1h)");
  add_output(mget);
  metrics->require_subcommand(0, 1);

  auto health = app.add_subcommand(
    "health", "system and engine health: CPU, memory, queues, drops, lag");
  health->add_option("--db", db, "SQLite file written by argusd")->required();
  health->add_option("--window", window, "aggregation window (default 1m)");
  add_output(health);

  std::string by;
  auto trading = app.add_subcommand(
    "trading", "PnL, Sharpe/Sortino/Calmar, drawdown, win rate, exposure");
  trading->add_option("--db", db, "SQLite file written by argusd")->required();
  trading->add_option("--by", by, "break down by symbol or tag")
    ->check(CLI::IsMember({"symbol", "tag"}));
  add_basis(trading);
  add_output(trading);

  argus::ctl::drift_test_options dt;
  auto drift_test = app.add_subcommand(
    "drift-test", "one drift test on two samples in files (one per line)");
  drift_test
    ->add_option("--method", dt.method,
                 "ks psi wasserstein js hellinger chi2 ad cvm")
    ->required();
  drift_test->add_option("--reference", dt.reference, "reference sample")
    ->required();
  drift_test->add_option("--current", dt.current, "current sample")->required();
  drift_test->add_flag("--categorical", dt.categorical,
                       "lines are category labels");
  drift_test->add_option("--alpha", dt.alpha, "significance level (0.05)");
  drift_test->add_option("--threshold", dt.threshold, "drift_threshold (0.1)");
  drift_test->add_option("--critical", dt.critical,
                         "critical_drift_threshold (0.3)");
  add_output(drift_test);

  std::string detector;
  std::string stream;
  std::vector<std::string> params;
  auto detect = app.add_subcommand(
    "detect", "a streaming change detector over a file of values");
  detect->add_option("--detector", detector, "adwin, page-hinkley or ddm")
    ->required();
  detect->add_option("--stream", stream, "one value per line")->required();
  detect->add_option("--param", params, "name=value (repeatable)");
  add_output(detect);

  auto models = app.add_subcommand(
    "models", "the ML monitor's models: latest check, drift, performance");
  models->add_option("--db", db, "SQLite file written by argusd")->required();
  add_output(models);
  std::string model_filter;
  std::string min_severity;
  auto drift = app.add_subcommand("drift", "drift alerts, newest first");
  drift->add_option("--db", db, "SQLite file written by argusd")->required();
  drift->add_option("--model", model_filter, "only this model");
  drift->add_option("--severity", min_severity,
                    "at least: low, medium, high or critical");
  add_output(drift);
  std::string model_id;
  bool history = false;
  auto model = app.add_subcommand(
    "model", "one model: its features' latest drift, --history performance");
  model->add_option("model", model_id, "model id")->required();
  model->add_option("--db", db, "SQLite file written by argusd")->required();
  model->add_flag("--history", history, "performance checks, newest first");
  add_output(model);

  auto tracking = app.add_subcommand(
    "tracking",
    "regimes, ensembles, features and decision paths from the spec's tables");
  tracking->require_subcommand(1);
  auto regimes = tracking->add_subcommand(
    "regimes", "current regime, transition matrix, durations, time shares");
  regimes->add_option("--db", db, "SQLite file written by argusd")->required();
  regimes->add_option("--since", since, "only the last DURATION (e.g. 24h)");
  add_output(regimes);
  std::string ensemble_id;
  auto ensembles = tracking->add_subcommand(
    "ensembles", "disagreement, vote entropy, meta-learner overrides, "
                 "members' agreement and weights");
  ensembles->add_option("--db", db, "SQLite file written by argusd")
    ->required();
  ensembles->add_option("--id", ensemble_id, "only this ensemble");
  ensembles->add_option("--since", since, "only the last DURATION (e.g. 24h)");
  add_output(ensembles);
  std::string feature_model;
  size_t top = 0;
  auto features = tracking->add_subcommand(
    "features", "feature importance, stability, drift and rank per model, "
                "and the latest rank changes");
  features->add_option("--db", db, "SQLite file written by argusd")->required();
  features->add_option("--model", feature_model, "only this model");
  features->add_option("--top", top, "only the top K features by rank")
    ->check(CLI::PositiveNumber);
  features->add_option("--since", since, "only the last DURATION (e.g. 24h)");
  add_output(features);
  std::string decision_cid;
  auto decisions = tracking->add_subcommand(
    "decisions", "one request's decision path, linked to its trace");
  decisions->add_option("cid", decision_cid, "correlation id")->required();
  decisions->add_option("--db", db, "SQLite file written by argusd")
    ->required();
  add_output(decisions);

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
  if (*traces)
    return cmd_traces(db, slowest, errors, latency, since, output);
  if (*stats)
    return cmd_correlation_stats(db, output);
  if (*mlist)
    return argus::ctl::metrics_list(db, window, output);
  if (*mget)
    return argus::ctl::metrics_get(db, metric_name, window, labels, since,
                                   output);
  if (*metrics) {
    if (!prom || db.empty()) {
      std::cerr << "argusctl: metrics wants list, get NAME, or --prom --db "
                   "FILE\n";
      return 2;
    }
    return argus::ctl::metrics_prometheus(db, window, basis);
  }
  if (*health)
    return argus::ctl::health(db, window, output);
  if (*trading)
    return argus::ctl::trading(db, by, basis, output);
  if (*drift_test)
    return argus::ctl::drift_test(dt, output);
  if (*detect)
    return argus::ctl::detect(detector, stream, params, output);
  if (*models)
    return argus::ctl::models(db, output);
  if (*regimes)
    return argus::ctl::tracking_regimes(db, since, output);
  if (*ensembles)
    return argus::ctl::tracking_ensembles(db, ensemble_id, since, output);
  if (*features)
    return argus::ctl::tracking_features(db, feature_model, top, since, output);
  if (*decisions)
    return argus::ctl::tracking_decisions(db, decision_cid, output);
  if (*drift)
    return argus::ctl::drift_alerts(db, model_filter, min_severity, output);
  if (*model)
    return argus::ctl::model(db, model_id, history, output);
  return 2;
}
