#include "runtime/gateway/api.hpp"

#include "actors/report_scheduler/reports.hpp"
#include "actors/tracer/compare.hpp"
#include "actors/tracer/export.hpp"
#include "config/load.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "messages/trace_context.hpp"
#include "runtime/gateway/live/feed.hpp"
#include "runtime/gateway/params.hpp"
#include "storage/readers/metrics.hpp"
#include "storage/readers/traces.hpp"

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include <charconv>

#include <nlohmann/json.hpp>

namespace argus::gateway {

/// A component's failure to answer as an HTTP status: a timeout is 504,
/// anything else (not running, restarting) 503.
http_response unavailable(const caf::error& err) {
  auto text = caf::to_string(err);
  if (err == caf::sec::request_timeout)
    return problem(504, "Gateway Timeout",
                   "the component did not answer in time: " + text);
  return problem(503, "Service Unavailable", text);
}

http_response bad_request(std::string detail) {
  return problem(400, "Bad Request", std::move(detail));
}

/// The read-only connection of this worker thread to `path`, opened on
/// first use (SQLite connections are not shared across threads).
storage::db_reader* worker_reader(const std::string& path, std::string& error) {
  thread_local std::string opened;
  thread_local std::unique_ptr<storage::db_reader> reader;
  if (!reader || opened != path) {
    reader.reset();
    auto r = storage::db_reader::open(path);
    if (!r) {
      error = caf::to_string(r.error());
      return nullptr;
    }
    reader = std::move(*r);
    opened = path;
  }
  return reader.get();
}

namespace {

using nlohmann::json;

metrics_query view(metrics_view_kind kind) {
  metrics_query q;
  q.kind = kind;
  return q;
}

/// A body the component already rendered as JSON text.
template <class T>
http_response body_of(const caf::expected<T>& x) {
  if (!x)
    return unavailable(x.error());
  return json_response(x->body);
}

json to_json(const latency_summary& x) {
  return {{"count", x.count},
          {"p50_ns", x.p50_ns},
          {"p95_ns", x.p95_ns},
          {"p99_ns", x.p99_ns},
          {"max_ns", x.max_ns}};
}

/// `labels=k:v,k2:v2`.
bool parse_labels(const std::string& text, metric_labels& out,
                  std::string& error) {
  size_t pos = 0;
  while (pos < text.size()) {
    auto comma = text.find(',', pos);
    auto item = text.substr(pos, comma == std::string::npos ? std::string::npos
                                                            : comma - pos);
    auto colon = item.find(':');
    if (colon == std::string::npos || colon == 0) {
      error = "labels: '" + item + "' is not key:value";
      return false;
    }
    out.emplace_back(item.substr(0, colon), item.substr(colon + 1));
    if (comma == std::string::npos)
      break;
    pos = comma + 1;
  }
  return true;
}

json to_json(const metric_point& p) {
  json labels = json::object();
  for (const auto& [k, v] : p.labels)
    labels[k] = v;
  json j = {{"name", p.name},     {"labels", std::move(labels)},
            {"window", p.window}, {"start_ns", p.start_ns},
            {"count", p.count},   {"sum", p.sum},
            {"min", p.min},       {"max", p.max}};
  if (std::isfinite(p.last))
    j["last"] = p.last;
  if (!p.quantiles.empty())
    j["quantiles"] = p.quantiles;
  return j;
}

/// The spans of request `id`: the tracer's memory first, else the
/// database. @returns the error response, if any.
std::optional<http_response> load_trace(engine& eng, const api_options& o,
                                        const std::string& id,
                                        std::vector<span_recorded>& spans) {
  auto corr = correlation_id::parse(id);
  if (!corr)
    return bad_request(
      "'" + id + "' is not a correlation id: " + caf::to_string(corr.error()));
  if (auto t = eng.trace(*corr, o.timeout); t && !t->spans.empty()) {
    spans = std::move(t->spans);
    return std::nullopt;
  }
  std::string error;
  auto reader
    = o.database_path.empty() ? nullptr : worker_reader(o.database_path, error);
  if (reader) {
    auto stored = storage::spans_for(*reader, *corr);
    if (stored && !stored->empty()) {
      spans = std::move(*stored);
      return std::nullopt;
    }
  }
  return problem(404, "Not Found", "no spans of " + corr->str());
}

std::vector<route> metrics_routes(engine& eng, const api_options& o) {
  std::vector<route> rs;
  rs.push_back({"GET", "/api/metrics/dashboard", role::viewer,
                "the unified dashboard: every series, health, trading",
                [&eng, timeout = o.timeout](const request_context&) {
                  auto text = eng.dashboard_text(timeout);
                  if (!text)
                    return unavailable(text.error());
                  http_response res;
                  res.shared_body = std::move(*text);
                  return res;
                }});
  rs.push_back(
    {"GET", "/api/metrics/performance", role::viewer,
     "trading performance, overall, by symbol and by tag (since, until: "
     "over a stored period, as a report computes it)",
     [&eng, o](const request_context& ctx) {
       if (!ctx.query.get("since") && !ctx.query.get("until"))
         return body_of(
           eng.metrics(view(metrics_view_kind::performance), o.timeout));
       std::string error;
       auto now = wall_clock_ns();
       auto range = parse_range(ctx.query, now, error);
       if (!range)
         return bad_request(error);
       auto until = range->until_ns ? range->until_ns : now;
       if (range->since_ns >= until)
         return bad_request("since must be before until");
       auto reader = worker_reader(o.database_path, error);
       if (!reader)
         return problem(503, "Service Unavailable", "database: " + error);
       const auto& m = eng.config().metrics_dashboard;
       trading_options opts;
       opts.starting_capital = m.trading_starting_capital;
       opts.periods_per_year = m.trading_periods_per_year;
       auto j = report_scheduler::stored_period_performance(
         *reader, opts, range->since_ns, until);
       if (!j)
         return problem(503, "Service Unavailable",
                        "database: " + caf::to_string(j.error()));
       return json_response(dump_json(*j));
     }});
  rs.push_back({"GET", "/api/metrics/system-health", role::viewer,
                "system and engine health",
                [&eng, timeout = o.timeout](const request_context&) {
                  return body_of(
                    eng.metrics(view(metrics_view_kind::health), timeout));
                }});
  rs.push_back(
    {"GET", "/api/metrics/history/{name}", role::viewer,
     "one metric's rollups: window, labels, since, until",
     [&eng, timeout = o.timeout](const request_context& ctx) {
       metrics_query q;
       q.kind = metrics_view_kind::history;
       q.metric = ctx.params.at("name");
       q.window = ctx.query.get("window") ? *ctx.query.get("window") : "1m";
       std::string error;
       if (auto labels = ctx.query.get("labels"))
         if (!parse_labels(*labels, q.labels, error))
           return bad_request(error);
       auto range = parse_range(ctx.query, wall_clock_ns(), error);
       if (!range)
         return bad_request(error);
       q.from_ns = range->since_ns;
       q.to_ns = range->until_ns;
       auto limit = parse_count(ctx.query, "limit", 1000, 1, 100000, error);
       if (!limit)
         return bad_request(error);
       auto window = q.window;
       auto v = eng.metrics(std::move(q), timeout);
       if (!v)
         return unavailable(v.error());
       json points = json::array();
       // The newest `limit` points, oldest first.
       size_t first = v->points.size() > *limit ? v->points.size() - *limit : 0;
       for (size_t i = first; i < v->points.size(); ++i)
         points.push_back(to_json(v->points[i]));
       return json_response(dump_json({{"metric", ctx.params.at("name")},
                                       {"window", window},
                                       {"points", std::move(points)},
                                       {"truncated", first > 0}}));
     }});
  rs.push_back(
    {"GET", "/api/metrics/fills/{id}", role::viewer,
     "the fills booked under one correlation id (from the database)",
     [o](const request_context& ctx) {
       auto corr = correlation_id::parse(ctx.params.at("id"));
       if (!corr)
         return bad_request("'" + ctx.params.at("id")
                            + "' is not a correlation id: "
                            + caf::to_string(corr.error()));
       std::string why;
       auto reader = worker_reader(o.database_path, why);
       if (!reader)
         return problem(503, "Service Unavailable", "database: " + why);
       auto fills = storage::trades_of(*reader, corr->str(), 1000);
       if (!fills)
         return problem(503, "Service Unavailable",
                        "database: " + caf::to_string(fills.error()));
       json list = json::array();
       for (const auto& f : *fills)
         list.push_back({{"trade_id", f.trade_id},
                         {"order_id", f.order_id},
                         {"symbol", f.symbol},
                         {"side", f.side == trade_side::buy ? "buy" : "sell"},
                         {"quantity", f.quantity},
                         {"price", f.price},
                         {"fee", f.fee},
                         {"realized_pnl", f.realized_pnl},
                         {"strategy_tag", f.strategy_tag},
                         {"time_ns", f.time_ns}});
       return json_response(dump_json(
         {{"correlation_id", corr->str()}, {"fills", std::move(list)}}));
     }});
  rs.push_back({"GET", "/metrics", role::viewer,
                "Prometheus text exposition (scrape target)",
                [&eng, timeout = o.timeout](const request_context&) {
                  auto v
                    = eng.metrics(view(metrics_view_kind::prometheus), timeout);
                  if (!v)
                    return unavailable(v.error());
                  http_response res;
                  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
                  res.body = std::move(v->body);
                  return res;
                }});
  return rs;
}

std::vector<route> tracing_routes(engine& eng, const api_options& o) {
  std::vector<route> rs;
  rs.push_back(
    {"GET", "/api/tracing/correlation/{id}", role::viewer,
     "every span of one request as a trace tree (memory, else the database)",
     [&eng, o](const request_context& ctx) {
       std::vector<span_recorded> spans;
       if (auto failed = load_trace(eng, o, ctx.params.at("id"), spans))
         return *failed;
       return json_response(dump_json(to_trace_json(spans)));
     }});
  rs.push_back(
    {"GET", "/api/tracing/export/{id}", role::viewer,
     "one trace as OTLP/JSON (format=otlp, for Jaeger or Tempo) or argus's "
     "JSON (format=json)",
     [&eng, o](const request_context& ctx) {
       auto format = ctx.query.get("format") ? *ctx.query.get("format")
                                             : std::string{"otlp"};
       if (format != "otlp" && format != "json")
         return bad_request("format: otlp or json, got '" + format + "'");
       std::vector<span_recorded> spans;
       if (auto failed = load_trace(eng, o, ctx.params.at("id"), spans))
         return *failed;
       return json_response(dump_json(format == "otlp" ? to_otlp_json(spans)
                                                       : to_trace_json(spans)));
     }});
  rs.push_back(
    {"GET", "/api/tracing/compare", role::viewer,
     "two traces side by side (a=, b=): spans only in one, durations that "
     "differ most",
     [&eng, o](const request_context& ctx) {
       auto a = ctx.query.get("a");
       auto b = ctx.query.get("b");
       if (!a || !b)
         return bad_request("a and b: the two correlation ids to compare");
       std::vector<span_recorded> sa;
       std::vector<span_recorded> sb;
       if (auto failed = load_trace(eng, o, *a, sa))
         return *failed;
       if (auto failed = load_trace(eng, o, *b, sb))
         return *failed;
       auto c = compare_traces(sa, sb);
       auto pairs = [](const std::vector<span_pair>& xs) {
         json out = json::array();
         for (const auto& p : xs) {
           json j{{"component", p.component},
                  {"operation", p.operation},
                  {"occurrence", p.occurrence}};
           if (p.a_ns >= 0)
             j["a_ns"] = p.a_ns;
           if (p.b_ns >= 0)
             j["b_ns"] = p.b_ns;
           if (p.a_ns >= 0 && p.b_ns >= 0)
             j["difference_ns"] = p.b_ns - p.a_ns;
           out.push_back(std::move(j));
         }
         return out;
       };
       return json_response(dump_json({{"a", *a},
                                       {"b", *b},
                                       {"a_duration_ns", c.a_total_ns},
                                       {"b_duration_ns", c.b_total_ns},
                                       {"both", pairs(c.both)},
                                       {"only_in_a", pairs(c.only_in_a)},
                                       {"only_in_b", pairs(c.only_in_b)}}));
     }});
  rs.push_back(
    {"GET", "/api/tracing/search", role::viewer,
     "stored spans by component, operation, min_duration, max_duration, "
     "status=error, attribute=key:value, since (default 1h), until; limit "
     "and cursor page",
     [o](const request_context& ctx) {
       storage::span_search f;
       std::string error;
       auto now = wall_clock_ns();
       auto range = parse_range(ctx.query, now, error);
       if (!range)
         return bad_request(error);
       f.since_ns
         = ctx.query.get("since") ? range->since_ns : now - 3'600'000'000'000;
       f.until_ns = range->until_ns;
       if (auto c = ctx.query.get("component")) {
         component_type parsed;
         if (!parse_component_type(*c, parsed))
           return bad_request("component: unknown component '" + *c + "'");
         f.component = *c;
       }
       if (auto op = ctx.query.get("operation"))
         f.operation = *op;
       for (auto [name, out] :
            {std::pair{"min_duration", &f.min_duration_ns},
             std::pair{"max_duration", &f.max_duration_ns}}) {
         if (auto v = ctx.query.get(name)) {
           auto d = config::parse_duration(*v);
           if (!d || d->count() <= 0)
             return bad_request(std::string{name} + ": '" + *v
                                + "' is not a duration (e.g. 50ms, 2s)");
           *out
             = std::chrono::duration_cast<std::chrono::nanoseconds>(*d).count();
         }
       }
       if (auto st = ctx.query.get("status")) {
         if (*st != "error")
           return bad_request("status: only 'error' filters, got '" + *st
                              + "'");
         f.errors_only = true;
       }
       if (auto a = ctx.query.get("attribute")) {
         auto colon = a->find(':');
         if (colon == std::string::npos || colon == 0)
           return bad_request("attribute: key:value, got '" + *a + "'");
         f.attribute_key = a->substr(0, colon);
         f.attribute_value = a->substr(colon + 1);
       }
       auto limit = parse_count(ctx.query, "limit", 100, 1, 1000, error);
       if (!limit)
         return bad_request(error);
       f.limit = *limit;
       if (auto cur = ctx.query.get("cursor")) {
         // `<start_ns>.<id>`, both integers (a double would round them).
         auto dot = cur->find('.');
         auto whole = [](std::string_view t, int64_t& out) {
           auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
           return ec == std::errc{} && end == t.data() + t.size() && out > 0;
         };
         std::string_view text{*cur};
         if (dot == std::string::npos
             || !whole(text.substr(0, dot), f.before_start_ns)
             || !whole(text.substr(dot + 1), f.before_id))
           return bad_request("cursor: pass the 'next' of the previous page");
       }
       std::string why;
       auto reader = worker_reader(o.database_path, why);
       if (!reader)
         return problem(503, "Service Unavailable", "database: " + why);
       auto page = storage::search_spans(*reader, f);
       if (!page)
         return problem(503, "Service Unavailable",
                        caf::to_string(page.error()));
       json spans = json::array();
       for (const auto& s : page->spans)
         spans.push_back({{"correlation_id", s.hdr.corr.str()},
                          {"trace_id", s.trace_id},
                          {"span_id", s.span_id},
                          {"parent_span_id", s.parent_span_id},
                          {"component", to_string(s.component)},
                          {"operation", s.operation},
                          {"start_ns", s.start_ns},
                          {"duration_ns", s.end_ns - s.start_ns},
                          {"error", s.status == span_status::error},
                          {"status_message", s.status_message}});
       json next = nullptr;
       if (page->more)
         next = std::to_string(page->next_start_ns) + "."
                + std::to_string(page->next_id);
       return json_response(
         dump_json({{"spans", std::move(spans)}, {"next", std::move(next)}}));
     }});
  rs.push_back(
    {"GET", "/api/tracing/performance", role::viewer,
     "latency per component and operation over a window (default 5m)",
     [&eng, timeout = o.timeout](const request_context& ctx) {
       std::chrono::nanoseconds window = std::chrono::minutes{5};
       if (auto w = ctx.query.get("window")) {
         auto d = config::parse_duration(*w);
         if (!d || d->count() <= 0)
           return bad_request("window: '" + *w
                              + "' is not a duration (e.g. 1m, 15m, 1h)");
         window = *d;
       }
       auto v = eng.operation_latencies(window, timeout);
       if (!v)
         return unavailable(v.error());
       component_type only{};
       auto comp = ctx.query.get("component");
       if (comp && !parse_component_type(*comp, only))
         return bad_request("component: unknown component '" + *comp + "'");
       auto op = ctx.query.get("operation");
       json ops = json::array();
       for (const auto& x : v->operations) {
         if ((comp && x.component != only) || (op && x.operation != *op))
           continue;
         ops.push_back({{"component", to_string(x.component)},
                        {"operation", x.operation},
                        {"latency", to_json(x.latency)},
                        {"errors", x.errors}});
       }
       return json_response(dump_json(
         {{"window_ns", v->window_ns}, {"operations", std::move(ops)}}));
     }});
  rs.push_back(
    {"GET", "/api/tracing/errors", role::viewer,
     "errors grouped by component and kind, most frequent first",
     [&eng, timeout = o.timeout](const request_context& ctx) {
       auto st = eng.correlation_statistics(timeout);
       if (!st)
         return unavailable(st.error());
       auto comp = ctx.query.get("component");
       json groups = json::array();
       for (const auto& e : st->errors) {
         if (comp && e.component != *comp)
           continue;
         groups.push_back({{"component", e.component},
                           {"type", e.type},
                           {"message", e.message},
                           {"count", e.count},
                           {"samples", e.samples}});
       }
       return json_response(dump_json({{"errors", std::move(groups)}}));
     }});
  return rs;
}

std::vector<route> ml_routes(engine& eng, const api_options& o) {
  std::vector<route> rs;
  rs.push_back({"GET", "/api/ml/models", role::viewer,
                "every model with its latest check",
                [&eng, timeout = o.timeout](const request_context&) {
                  ml_query q;
                  q.kind = ml_view_kind::models;
                  return body_of(eng.ml(std::move(q), timeout));
                }});
  rs.push_back(
    {"GET", "/api/ml/drift", role::viewer,
     "drift alerts at or above severity (default low), newest first",
     [&eng, timeout = o.timeout](const request_context& ctx) {
       ml_query q;
       q.kind = ml_view_kind::alerts;
       if (auto s = ctx.query.get("severity"))
         if (!parse_severity(*s, q.min_level))
           return bad_request("severity: '" + *s
                              + "' is not low, medium, high or critical");
       std::string error;
       auto limit = parse_count(ctx.query, "limit", 100, 1, 10000, error);
       if (!limit)
         return bad_request(error);
       q.limit = *limit;
       if (auto m = ctx.query.get("model"))
         q.model_id = *m;
       return body_of(eng.ml(std::move(q), timeout));
     }});
  // The tracker holds the features' importance, stability and drift, and
  // the ensembles: the spec's ML routes show those views.
  for (auto [path, kind, summary] :
       {std::tuple{"/api/ml/features", tracking_view_kind::features,
                   "feature importance, stability and drift per model"},
        std::tuple{"/api/ml/ensembles", tracking_view_kind::ensembles,
                   "ensembles: members, weights, agreement"}}) {
    rs.push_back(
      {"GET", path, role::viewer, summary,
       [&eng, kind = kind, timeout = o.timeout](const request_context& ctx) {
         tracking_query q;
         q.kind = kind;
         if (auto m = ctx.query.get("model"))
           q.id = *m;
         return body_of(eng.tracking(std::move(q), timeout));
       }});
  }
  return rs;
}

std::vector<route> tracking_routes(engine& eng, const api_options& o) {
  std::vector<route> rs;
  for (auto kind :
       {tracking_view_kind::ensembles, tracking_view_kind::regimes,
        tracking_view_kind::features, tracking_view_kind::decisions}) {
    rs.push_back(
      {"GET", std::string{"/api/tracking/"} + to_string(kind), role::viewer,
       std::string{"the tracker's "} + to_string(kind)
         + " view: id, since, until, limit, top",
       [&eng, kind, timeout = o.timeout](const request_context& ctx) {
         tracking_query q;
         q.kind = kind;
         if (auto id = ctx.query.get("id"))
           q.id = *id;
         std::string error;
         auto range = parse_range(ctx.query, wall_clock_ns(), error);
         if (!range)
           return bad_request(error);
         q.since_ns = range->since_ns;
         q.until_ns = range->until_ns;
         auto limit = parse_count(ctx.query, "limit", 100, 1, 100000, error);
         auto top = limit ? parse_count(ctx.query, "top", 0, 0, 100000, error)
                          : std::nullopt;
         if (!limit || !top)
           return bad_request(error);
         q.limit = *limit;
         q.top = *top;
         return body_of(eng.tracking(std::move(q), timeout));
       }});
  }
  return rs;
}

std::vector<route> engine_routes(engine& eng, const api_options& o) {
  std::vector<route> rs;
  rs.push_back({"GET", "/healthz", role::anyone, "liveness (no token)",
                [](const request_context&) {
                  return json_response(R"({"status":"ok"})");
                }});
  rs.push_back(
    {"GET", "/readyz", role::viewer,
     "ready: every component running (503 naming those that are not)",
     [&eng, timeout = o.timeout](const request_context&) {
       auto st = eng.status(timeout);
       if (!st)
         return unavailable(st.error());
       json down = json::array();
       for (const auto& c : st->components)
         if (c.state != component_state::running)
           down.push_back({{"id", c.id}, {"state", to_string(c.state)}});
       bool ready = down.empty();
       return json_response(
         dump_json({{"ready", ready}, {"not_running", std::move(down)}}),
         ready ? 200 : 503);
     }});
  rs.push_back({"GET", "/api/status", role::viewer,
                "integration status: every component, its counters",
                [&eng, timeout = o.timeout](const request_context&) {
                  auto st = eng.status(timeout);
                  if (!st)
                    return unavailable(st.error());
                  return json_response(dump_json(live::to_json(*st)));
                }});
  return rs;
}

} // namespace

std::vector<route> api_routes(engine& eng, const api_options& opts) {
  std::vector<route> all;
  for (auto group :
       {engine_routes(eng, opts), metrics_routes(eng, opts),
        tracing_routes(eng, opts), ml_routes(eng, opts),
        tracking_routes(eng, opts), ingest_routes(eng, opts), report_routes(eng, opts)})
    for (auto& r : group)
      all.push_back(std::move(r));
  // The table describes itself, so a client can list it.
  all.push_back({"GET", "/api/routes", role::viewer,
                 "this table: method, path, least role, summary", nullptr});
  json table = json::array();
  for (const auto& r : all)
    table.push_back({{"method", r.method},
                     {"path", r.pattern},
                     {"role", to_string(r.min_role)},
                     {"summary", r.summary}});
  all.back().handler = [body = dump_json(table)](const request_context&) {
    return json_response(body);
  };
  // Each request is itself traced: a server span of the monitoring
  // component under the request's correlation id, child of the caller's
  // `traceparent` when it sent one.
  for (auto& r : all) {
    r.handler = [&eng, name = r.method + " " + r.pattern,
                 inner = std::move(r.handler)](const request_context& ctx) {
      auto corr = correlation_id::parse(ctx.correlation_id);
      if (!corr)
        return inner(ctx);
      auto parent = ctx.req.header("traceparent");
      auto tp = parent.empty() ? caf::expected<trace_context>{caf::none}
                               : parse_traceparent(parent);
      auto span = tp && !parent.empty()
                    ? eng.client().span(component_type::monitoring, name, *corr,
                                        *tp, span_kind::server)
                    : eng.client().span(component_type::monitoring, name, *corr,
                                        span_kind::server);
      auto res = inner(ctx);
      span.set("http.status_code", static_cast<int64_t>(res.status));
      if (!ctx.who.name.empty())
        span.set("argus.principal", ctx.who.name);
      if (res.status >= 500)
        span.error("HTTP " + std::to_string(res.status));
      return res;
    };
  }
  return all;
}

} // namespace argus::gateway
