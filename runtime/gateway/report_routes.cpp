// The report scheduler's routes: its schedule, its history, reports on
// demand, a run's file, and reports added at run time.

#include "actors/report_scheduler/runner.hpp"
#include "messages/error.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "runtime/gateway/api.hpp"
#include "runtime/gateway/json_body.hpp"
#include "runtime/gateway/params.hpp"
#include "storage/readers/reports.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace argus::gateway {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const char* content_type_of(const std::string& path) {
  auto ext = fs::path{path}.extension().string();
  if (ext == ".pdf")
    return "application/pdf";
  if (ext == ".html")
    return "text/html; charset=utf-8";
  return "application/json";
}

/// The file of a run, if it lies in the report folder (the database says
/// where; the folder says what may be served).
http_response file_response(const std::string& path, const std::string& dir) {
  std::error_code ec;
  auto file = fs::weakly_canonical(path, ec);
  auto root = fs::weakly_canonical(dir, ec);
  auto rel = file.lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == "..")
    return problem(403, "Forbidden",
                   "the run's file is outside the report folder");
  std::ifstream in{file.string(), std::ios::binary};
  if (!in)
    return problem(410, "Gone",
                   "the run's file is no longer there (retention removed "
                   "it): "
                     + file.filename().string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  http_response res;
  res.content_type = content_type_of(path);
  res.body = bytes.str();
  res.headers.emplace_back("Content-Disposition",
                           "inline; filename=\"" + file.filename().string()
                             + "\"");
  return res;
}

/// A time from a JSON body: RFC 3339 text, Unix seconds or a duration
/// before now (`7d`), as the query parameters take them.
std::optional<int64_t> body_time(const json& j, const char* key, int64_t now,
                                 std::string& error) {
  auto it = j.find(key);
  if (it == j.end())
    return int64_t{0};
  std::string text;
  if (it->is_string())
    text = it->get<std::string>();
  else if (it->is_number())
    text = it->dump();
  else {
    error = std::string{"'"} + key + "' must be a time";
    return std::nullopt;
  }
  auto t = parse_time(text, now, error);
  if (!t)
    error = std::string{"'"} + key + "': " + error;
  return t;
}

} // namespace

std::vector<route> report_routes(engine& eng, const api_options& o) {
  auto dir = report_scheduler::output_directory(
    eng.config().report_scheduler.output_directory, o.database_path);
  std::vector<route> rs;
  rs.push_back({"GET", "/api/reports/schedule", role::viewer,
                "the reports and when each runs next (in its zone)",
                [&eng, timeout = o.timeout](const request_context&) {
                  auto s = eng.report_schedule(timeout);
                  if (!s)
                    return unavailable(s.error());
                  return json_response("{\"reports\":" + *s + "}");
                }});
  rs.push_back(
    {"GET", "/api/reports/history", role::viewer,
     "reports generated and sent (type, limit)",
     [o](const request_context& ctx) {
       std::string error;
       auto limit = parse_count(ctx.query, "limit", 100, 1, 10000, error);
       if (!limit)
         return bad_request(error);
       auto reader = worker_reader(o.database_path, error);
       if (!reader)
         return problem(503, "Service Unavailable", "database: " + error);
       auto type = ctx.query.get("type");
       auto rows = storage::report_history(*reader, type ? *type : "", *limit);
       if (!rows)
         return problem(503, "Service Unavailable",
                        "database: " + caf::to_string(rows.error()));
       return json_response(dump_json({{"runs", std::move(*rows)}}));
     }});
  rs.push_back(
    {"GET", "/api/reports/{id}/file", role::viewer,
     "the file of one run of report_history",
     [o, dir](const request_context& ctx) {
       const auto& text = ctx.params.at("id");
       int64_t id = 0;
       auto [end, err] = std::from_chars(text.data(), text.data() + text.size(),
                                         id);
       if (err != std::errc{} || end != text.data() + text.size() || id <= 0)
         return bad_request("'" + text + "' is not a report run id");
       std::string error;
       auto reader = worker_reader(o.database_path, error);
       if (!reader)
         return problem(503, "Service Unavailable", "database: " + error);
       auto run = storage::report_run(*reader, id);
       if (!run)
         return problem(503, "Service Unavailable",
                        "database: " + caf::to_string(run.error()));
       if (!*run)
         return problem(404, "Not Found", "no report run " + text);
       auto path = (**run).value("file_path", json{});
       if (!path.is_string() || path.get<std::string>().empty())
         return problem(404, "Not Found",
                        "report run " + text + " has no file ("
                          + (**run).value("status", std::string{}) + ")");
       return file_response(path.get<std::string>(), dir);
     }});
  rs.push_back(
    {"POST", "/api/reports/generate", role::operator_,
     "generate a report now: type, format, since, until, time_zone, "
     "recipients, send (→ the file, or its run when sent)",
     [&eng, dir](const request_context& ctx) {
       if (auto refused = refuse_media(ctx.req, ""))
         return *refused;
       http_response error_response;
       auto body = parse_json_body(ctx.req, error_response);
       if (!body)
         return error_response;
       if (!body->is_object())
         return bad_request("the body is a JSON object: {\"type\": "
                            "\"performance_summary\", \"format\": \"pdf\"}");
       report_requested req;
       std::string error;
       auto now = wall_clock_ns();
       try {
         req.report_type = body->value("type", std::string{});
         req.format = body->value("format", std::string{"pdf"});
         req.time_zone = body->value("time_zone", std::string{});
         req.send = body->value("send", false);
         if (auto r = body->find("recipients"); r != body->end())
           req.recipients = r->get<std::vector<std::string>>();
       } catch (const json::exception&) {
         return bad_request("type, format and time_zone are text, send is "
                            "true or false, recipients a list of addresses");
       }
       auto since = body_time(*body, "since", now, error);
       auto until = body_time(*body, "until", now, error);
       if (!since || !until)
         return bad_request(error);
       req.range_start_ns = *since;
       req.range_end_ns = *until;
       if (req.send && req.recipients.empty()) {
         const auto& cfg = eng.config().report_scheduler;
         if (auto i = cfg.reports.find(req.report_type);
             i != cfg.reports.end())
           req.recipients = i->second.recipients;
         else
           req.recipients = cfg.default_recipients;
       }
       auto g = eng.generate_report(std::move(req));
       if (!g) {
         if (g.error() == ec::invalid_argument)
           return bad_request(describe(g.error()));
         return unavailable(g.error());
       }
       if (g->status.rfind("failed", 0) == 0)
         return problem(500, "Internal Server Error", g->status);
       json meta = {{"status", g->status},
                    {"type", g->report_type},
                    {"format", g->format},
                    {"file", g->file_path},
                    {"bytes", g->bytes},
                    {"recipients", g->recipients},
                    {"from_ns", g->range_start_ns},
                    {"to_ns", g->range_end_ns}};
       if (body->value("send", false) || body->value("respond", "") == "json")
         return json_response(dump_json(meta), g->status == "sending" ? 202
                                                                      : 200);
       auto res = file_response(g->file_path, dir);
       res.headers.emplace_back("X-Report-File", g->file_path);
       return res;
     }});
  rs.push_back(
    {"PUT", "/api/reports/configs/{name}", role::operator_,
     "add or replace a report (spec add_report_config): type, schedule, "
     "at, weekday, day_of_month, time_zone, format, recipients, enabled",
     [&eng, timeout = o.timeout](const request_context& ctx) {
       if (auto refused = refuse_media(ctx.req, ""))
         return *refused;
       http_response error_response;
       auto body = parse_json_body(ctx.req, error_response);
       if (!body)
         return error_response;
       auto entry = eng.add_report_config(ctx.params.at("name"),
                                          dump_json(*body), timeout);
       if (!entry) {
         if (entry.error() == ec::invalid_argument)
           return bad_request(describe(entry.error()));
         return unavailable(entry.error());
       }
       return json_response(*entry);
     }});
  return rs;
}

} // namespace argus::gateway
