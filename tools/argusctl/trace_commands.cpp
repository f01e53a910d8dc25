// argusctl trace CID --db FILE [-o table|json]
// argusctl export CID --db FILE --format otlp|json|msgpack [--out FILE]
// argusctl traces --db FILE (--slowest N | --errors | --latency)
//                 [--since DURATION] [-o table|json]
// argusctl correlations stats --db FILE [--since D|all] [-o table|json]

#include "actors/correlation_manager/correlation_manager.hpp"
#include "actors/tracer/export.hpp"
#include "messages/json_text.hpp"
#include "storage/readers/traces.hpp"
#include "storage/readers/tracking.hpp"

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "tools/argusctl/commands.hpp"
#include "tools/argusctl/common.hpp"
#include <nlohmann/json.hpp>

namespace argus::ctl {

namespace {

using nlohmann::json;

/// The stored spans of `cid`; or nothing, with `code` set and the reason
/// printed.
std::optional<std::vector<span_recorded>>
load_spans(const std::string& db, const std::string& cid, int& code) {
  auto corr = correlation_id::parse(cid);
  if (!corr) {
    fail(corr.error());
    code = exit_usage;
    return std::nullopt;
  }
  code = exit_failed;
  auto reader = open_db(db);
  if (!reader)
    return std::nullopt;
  auto spans = storage::spans_for(*reader, *corr);
  if (!ok(spans))
    return std::nullopt;
  if (spans->empty()) {
    fail("no spans stored for correlation id '" + cid + "' in " + db);
    return std::nullopt;
  }
  code = 0;
  return std::move(*spans);
}

int trace(const std::string& db, const std::string& cid,
          const std::string& output) {
  int code = 0;
  auto spans = load_spans(db, cid, code);
  if (!spans)
    return code;
  // And back from the trace to the decision path of the same id.
  size_t steps = 0;
  if (auto reader = open_db(db))
    if (auto path = storage::decision_path(*reader, cid))
      steps = path->size();
  auto path_command = "argusctl tracking decisions " + cid + " --db " + db;
  if (structured(output)) {
    auto j = to_trace_json(*spans);
    if (steps > 0)
      j["decision_path"] = {{"steps", steps}, {"argusctl", path_command}};
    print_structured(j, output);
    return 0;
  }
  out() << render_waterfall(*spans);
  if (steps > 0)
    out() << "\nDECISION PATH  " << steps << " steps: " << path_command << "\n";
  return 0;
}

int export_trace(const std::string& db, const std::string& cid,
                 const std::string& format, const std::string& out_path) {
  int code = 0;
  auto spans = load_spans(db, cid, code);
  if (!spans)
    return code;
  std::string bytes;
  if (format == "otlp")
    bytes = dump_json(to_otlp_json(*spans), 2) + "\n";
  else if (format == "json")
    bytes = dump_json(to_trace_json(*spans), 2) + "\n";
  else
    bytes = to_trace_msgpack(spans->front().hdr.corr, *spans);
  if (out_path.empty() || out_path == "-") {
    out().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return 0;
  }
  std::ofstream file{out_path, std::ios::binary};
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file)
    return fail("cannot write " + out_path);
  return 0;
}

json latency_json(const latency_summary& x) {
  return {{"count", x.count},
          {"p50_ms", x.p50_ns / 1e6},
          {"p95_ms", x.p95_ns / 1e6},
          {"p99_ms", x.p99_ns / 1e6},
          {"max_ms", x.max_ns / 1e6}};
}

/// COUNT (or SPANS), P50_MS, P95_MS, P99_MS, MAX_MS.
std::vector<std::string> latency_cells(const latency_summary& x) {
  return {std::to_string(x.count), ms_text(x.p50_ns), ms_text(x.p95_ns),
          ms_text(x.p99_ns), ms_text(x.max_ns)};
}

/// @returns `head` followed by `tail`.
std::vector<std::string> concat(std::vector<std::string> head,
                                const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

std::string joined(const std::vector<std::string>& xs) {
  std::string s;
  for (const auto& x : xs)
    s += (s.empty() ? "" : " ") + x;
  return s;
}

/// The range a command reads: where it starts, and as the user wrote it.
struct window {
  int64_t from_ns = 0;
  std::string text;
};

int error_groups(storage::db_reader& r, const window& w, size_t limit,
                 const std::string& output) {
  auto groups = storage::error_groups(r, w.from_ns, limit);
  if (!ok(groups))
    return exit_failed;
  note_if_cut(groups->size(), limit);
  if (structured(output)) {
    json arr = json::array();
    for (const auto& g : *groups)
      arr.push_back({{"component", g.component},
                     {"message", g.message},
                     {"count", g.count},
                     {"last", time_text(g.last_ns)},
                     {"sample_correlation_ids", g.samples}});
    print_structured(arr, output);
    return 0;
  }
  if (groups->empty())
    return nothing_yet_since("errors", w.text, output);
  text_table table{{"COUNT", "COMPONENT", "MESSAGE", "SAMPLES"}};
  for (const auto& g : *groups)
    table.add(
      {std::to_string(g.count), g.component, g.message, joined(g.samples)});
  table.print(out());
  return 0;
}

int operation_latencies(storage::db_reader& r, const window& w,
                        const std::string& output) {
  auto rows = storage::span_durations(r, w.from_ns);
  if (!ok(rows))
    return exit_failed;
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> by_op;
  for (auto& [c, op, d] : *rows)
    by_op[{c, op}].push_back(d);
  json arr = json::array();
  text_table table{{"COMPONENT", "OPERATION", "SPANS", "P50_MS", "P95_MS",
                    "P99_MS", "MAX_MS"}};
  for (auto& [key, ds] : by_op) {
    auto s = summarize_latencies(std::move(ds));
    auto j = latency_json(s);
    j["component"] = key.first;
    j["operation"] = key.second;
    arr.push_back(j);
    table.add(concat({key.first, key.second}, latency_cells(s)));
  }
  if (structured(output))
    print_structured(arr, output);
  else if (by_op.empty())
    return nothing_yet_since("spans", w.text, output);
  else
    table.print(out());
  return 0;
}

int slowest_traces(storage::db_reader& r, const window& w, size_t slowest,
                   const std::string& output) {
  auto traces = storage::slowest_traces(r, w.from_ns, slowest);
  if (!ok(traces))
    return exit_failed;
  if (structured(output)) {
    json arr = json::array();
    for (const auto& t : *traces)
      arr.push_back({{"correlation_id", t.correlation_id},
                     {"trace_id", t.trace_id},
                     {"start", time_text(t.start_ns)},
                     {"duration_ms", t.duration_ns / 1e6},
                     {"spans", t.spans},
                     {"errors", t.errors}});
    print_structured(arr, output);
    return 0;
  }
  if (traces->empty())
    return nothing_yet_since("traces", w.text, output);
  text_table table{
    {"DURATION_MS", "SPANS", "ERRORS", "START", "CORRELATION_ID"}};
  for (const auto& t : *traces)
    table.add({ms_text(t.duration_ns), std::to_string(t.spans),
               std::to_string(t.errors), time_text(t.start_ns),
               t.correlation_id});
  table.print(out());
  return 0;
}

struct traces_options {
  std::string db;
  size_t slowest = 10;
  bool errors = false;
  size_t limit = 50;
  bool latency = false;
  std::string since;
  std::string output = "table";
};

int traces(const traces_options& o) {
  auto since = since_ns(o.since);
  if (!since)
    return exit_usage;
  auto reader = open_db(o.db);
  if (!reader)
    return exit_failed;
  if (o.errors)
    return error_groups(*reader, {*since, o.since}, o.limit, o.output);
  if (o.latency)
    return operation_latencies(*reader, {*since, o.since}, o.output);
  return slowest_traces(*reader, {*since, o.since}, o.slowest, o.output);
}

int correlation_stats(const std::string& db, const std::string& since,
                      const std::string& output) {
  auto from = since_ns(since);
  if (!from)
    return exit_usage;
  auto reader = open_db(db);
  if (!reader)
    return exit_failed;
  auto rows = storage::requests(*reader, *from);
  if (!ok(rows))
    return exit_failed;
  auto stats = summarize_requests(*rows);
  if (structured(output)) {
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
    print_structured(json{{"requests", rows->size()},
                          {"by_status", stats.by_status},
                          {"latency", latency_json(stats.latency)},
                          {"paths", paths},
                          {"critical_path", critical},
                          {"errors", errors}},
                     output);
    return 0;
  }
  out() << "REQUESTS  " << rows->size() << "\n";
  for (const auto& [status, n] : stats.by_status)
    out() << "  " << status << "  " << n << "\n";
  out() << "\n";
  text_table paths{
    {"COMPONENT PATH", "COUNT", "P50_MS", "P95_MS", "P99_MS", "MAX_MS"}};
  paths.add(concat({"(all)"}, latency_cells(stats.latency)));
  for (const auto& p : stats.paths)
    paths.add(concat({p.path}, latency_cells(p.latency)));
  paths.print(out());
  if (!stats.critical_path.empty()) {
    out() << "\nWHERE THE TIME GOES (critical path, own time)\n";
    text_table critical{{"COMPONENT", "SHARE", "TOTAL_MS", "REQUESTS"}};
    for (const auto& c : stats.critical_path)
      critical.add({c.component, fixed(c.share * 100, 1) + "%",
                    ms_text(c.critical_ns), std::to_string(c.requests)});
    critical.print(out());
  }
  if (!stats.errors.empty()) {
    out() << "\nERRORS (by component and type)\n";
    text_table errors{{"COUNT", "COMPONENT", "TYPE", "MESSAGE", "SAMPLES"}};
    for (const auto& e : stats.errors)
      errors.add({std::to_string(e.count), e.component, e.type, e.message,
                  joined(e.samples)});
    errors.print(out());
  }
  return 0;
}

} // namespace

void add_trace_commands(CLI::App& app, command_table& table) {
  struct options {
    std::string db;
    std::string cid;
    std::string format = "otlp";
    std::string out_path;
    std::string output = "table";
    std::string since;
    traces_options traces;
  };
  auto o = std::make_shared<options>();
  auto tr = app.add_subcommand(
    "trace", "the waterfall of one request's spans, critical path marked");
  tr->add_option("cid", o->cid, "correlation id")->required();
  add_db(tr, o->db);
  add_output(tr, o->output);
  table.push_back({tr, [o] {
                     return trace(o->db, o->cid, o->output);
                   }});

  auto exp = app.add_subcommand(
    "export", "one request's spans as OTLP/JSON, argus JSON or msgpack");
  exp->add_option("cid", o->cid, "correlation id")->required();
  add_db(exp, o->db);
  exp->add_option("--format", o->format, "otlp, json or msgpack")
    ->check(CLI::IsMember({"otlp", "json", "msgpack"}));
  exp->add_option("--out", o->out_path, "file to write (default: stdout)");
  table.push_back({exp, [o] {
                     return export_trace(o->db, o->cid, o->format, o->out_path);
                   }});

  auto& t = o->traces;
  auto trs = app.add_subcommand(
    "traces", "slowest traces, errors grouped, or latency per operation");
  add_db(trs, t.db);
  auto slowest
    = trs->add_option("--slowest", t.slowest, "the N slowest traces (default)");
  auto errors = trs->add_flag("--errors", t.errors,
                              "error spans grouped by component and message");
  auto latency = trs->add_flag("--latency", t.latency,
                               "p50/p95/p99 per component and operation");
  slowest->excludes(errors)->excludes(latency);
  errors->excludes(latency);
  add_since(trs, t.since);
  add_limit(trs, t.limit)->needs(errors);
  add_output(trs, t.output);
  table.push_back({trs, [o] {
                     return traces(o->traces);
                   }});

  auto correlations
    = app.add_subcommand("correlations", "the correlation manager's requests");
  auto stats = correlations->add_subcommand(
    "stats", "requests by status, latency overall and per component path");
  add_db(stats, o->db);
  add_since(stats, o->since);
  add_output(stats, o->output);
  correlations->require_subcommand(1);
  table.push_back({stats, [o] {
                     return correlation_stats(o->db, o->since, o->output);
                   }});
}

} // namespace argus::ctl
