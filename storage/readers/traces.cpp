#include "storage/readers/traces.hpp"

#include <limits>

#include "storage/rows.hpp"

#include <SQLiteCpp/Statement.h>

namespace argus::storage {

caf::expected<std::vector<trace_summary>>
slowest_traces(db_reader& r, int64_t since_ns, size_t limit) {
  return detail::guarded([&] {
    // SQLite would rather walk the correlation-id index for the GROUP BY,
    // which reads every span ever stored: the time range is the bound.
    SQLite::Statement q{
      r.db(), "SELECT correlation_id, min(trace_id), min(start_ns), "
              "max(end_ns) - min(start_ns) AS duration, count(*), "
              "sum(status = 2) FROM spans INDEXED BY spans_by_start "
              "WHERE start_ns >= ? "
              "GROUP BY correlation_id ORDER BY duration DESC LIMIT ?"};
    q.bind(1, static_cast<int64_t>(since_ns));
    q.bind(2, static_cast<int64_t>(limit));
    std::vector<trace_summary> result;
    while (q.executeStep())
      result.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                        q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                        q.getColumn(4).getInt64(), q.getColumn(5).getInt64()});
    return result;
  });
}

caf::expected<std::vector<error_group>>
error_groups(db_reader& r, int64_t since_ns, size_t limit) {
  return detail::guarded([&] {
    SQLite::Statement q{
      r.db(), "SELECT component, coalesce(status_message, ''), count(*), "
              "max(start_ns), group_concat(DISTINCT correlation_id) FROM spans "
              "WHERE status = 2 AND start_ns >= ? GROUP BY component, "
              "status_message ORDER BY count(*) DESC LIMIT ?"};
    q.bind(1, static_cast<int64_t>(since_ns));
    q.bind(2, static_cast<int64_t>(limit));
    std::vector<error_group> result;
    while (q.executeStep()) {
      error_group g{q.getColumn(0).getString(),
                    q.getColumn(1).getString(),
                    q.getColumn(2).getInt64(),
                    q.getColumn(3).getInt64(),
                    {}};
      auto ids = q.getColumn(4).getString();
      size_t pos = 0;
      while (g.samples.size() < 3 && pos < ids.size()) {
        auto comma = ids.find(',', pos);
        g.samples.push_back(ids.substr(pos, comma - pos));
        if (comma == std::string::npos)
          break;
        pos = comma + 1;
      }
      result.push_back(std::move(g));
    }
    return result;
  });
}

caf::expected<std::vector<std::tuple<std::string, std::string, int64_t>>>
span_durations(db_reader& r, int64_t since_ns) {
  return span_durations(r, since_ns, std::numeric_limits<int64_t>::max());
}

caf::expected<std::vector<std::tuple<std::string, std::string, int64_t>>>
span_durations(db_reader& r, int64_t from_ns, int64_t to_ns) {
  return detail::guarded([&] {
    SQLite::Statement q{r.db(),
                        "SELECT component, operation, end_ns - start_ns "
                        "FROM spans WHERE start_ns >= ? AND start_ns < ?"};
    q.bind(1, static_cast<int64_t>(from_ns));
    q.bind(2, static_cast<int64_t>(to_ns));
    std::vector<std::tuple<std::string, std::string, int64_t>> result;
    while (q.executeStep())
      result.emplace_back(q.getColumn(0).getString(),
                          q.getColumn(1).getString(),
                          q.getColumn(2).getInt64());
    return result;
  });
}

caf::expected<std::vector<request_outline>> requests(db_reader& r,
                                                     int64_t since_ns) {
  return detail::guarded([&] {
    // Without a bound, rows without a request time count too; with one,
    // the request-time index reads only the rows in range.
    std::string sql
      = "SELECT correlation_id, "
        "coalesce(json_extract(performance_metrics, '$.status'), ''), "
        "coalesce(component_path, ''), "
        "coalesce(json_extract(performance_metrics, '$.duration_ms'), 0), "
        "coalesce(json_extract(performance_metrics, '$.critical_path_ms'), "
        "'{}'), coalesce(json_extract(error_info, '$.errors'), '[]') "
        "FROM correlation_tracking";
    if (since_ns > 0)
      sql += " WHERE request_timestamp >= ?";
    sql += " ORDER BY response_timestamp, rowid";
    SQLite::Statement q{r.db(), sql};
    if (since_ns > 0)
      q.bind(1, sql_datetime(since_ns));
    auto ns = [](double ms) {
      return static_cast<int64_t>(ms * 1e6);
    };
    std::vector<request_outline> result;
    while (q.executeStep()) {
      request_outline r;
      r.corr = q.getColumn(0).getString();
      r.status = q.getColumn(1).getString();
      r.path = q.getColumn(2).getString();
      r.duration_ns = ns(q.getColumn(3).getDouble());
      r.finished_ns = static_cast<int64_t>(result.size());
      // Columns the engine wrote; anything else (hand-edited rows) is
      // skipped rather than trusted.
      auto critical
        = nlohmann::json::parse(q.getColumn(4).getString(), nullptr, false);
      if (critical.is_object())
        for (const auto& [k, v] : critical.items())
          if (v.is_number())
            r.critical.emplace_back(k, ns(v.get<double>()));
      auto errors
        = nlohmann::json::parse(q.getColumn(5).getString(), nullptr, false);
      if (errors.is_array())
        for (const auto& e : errors)
          if (e.is_object())
            r.errors.push_back({e.value("component", ""), e.value("type", ""),
                                e.value("message", "")});
      result.push_back(std::move(r));
    }
    return result;
  });
}

namespace {

/// The columns `span_from_row` reads, in its order.
constexpr const char* span_columns
  = "trace_id, span_id, parent_span_id, component, operation, kind, status, "
    "status_message, start_ns, end_ns, attributes, events, links, "
    "correlation_id, id";

/// One row of `span_columns` as a span.
span_recorded span_from_row(SQLite::Statement& q) {
  auto text = [&](int i) {
    auto c = q.getColumn(i);
    return c.isNull() ? std::string{} : c.getString();
  };
  auto bounded = [](int64_t v, int64_t last) {
    return v < 0 || v > last ? 0 : v;
  };
  span_recorded s;
  if (auto corr = correlation_id::parse(text(13)))
    s.hdr = make_header<span_recorded>(*corr);
  s.trace_id = text(0);
  s.span_id = text(1);
  s.parent_span_id = text(2);
  component_type c = component_type::monitoring;
  parse_component_type(text(3), c);
  s.component = c;
  s.operation = text(4);
  s.kind = static_cast<span_kind>(bounded(
    q.getColumn(5).getInt64(), static_cast<int64_t>(span_kind::consumer)));
  s.status = static_cast<span_status>(bounded(
    q.getColumn(6).getInt64(), static_cast<int64_t>(span_status::error)));
  s.status_message = text(7);
  s.start_ns = q.getColumn(8).getInt64();
  s.end_ns = q.getColumn(9).getInt64();
  s.attributes = attributes_from_json(text(10));
  s.events = events_from_json(text(11));
  s.links = links_from_json(text(12));
  return s;
}

} // namespace

caf::expected<std::vector<span_recorded>>
spans_for(db_reader& r, const correlation_id& corr) {
  return detail::guarded([&] {
    SQLite::Statement q{r.db(), std::string{"SELECT "} + span_columns
                                  + " FROM spans WHERE correlation_id = ? "
                                    "ORDER BY start_ns, id"};
    q.bind(1, corr.str());
    std::vector<span_recorded> result;
    while (q.executeStep())
      result.push_back(span_from_row(q));
    return result;
  });
}

caf::expected<span_search_page> search_spans(db_reader& r,
                                             const span_search& f) {
  return detail::guarded([&] {
    std::string sql = std::string{"SELECT "} + span_columns
                      + " FROM spans WHERE start_ns >= ?1";
    if (f.until_ns > 0)
      sql += " AND start_ns <= ?2";
    if (!f.component.empty())
      sql += " AND component = ?3";
    if (!f.operation.empty())
      sql += " AND operation = ?4";
    if (f.min_duration_ns > 0)
      sql += " AND end_ns - start_ns >= ?5";
    if (f.max_duration_ns > 0)
      sql += " AND end_ns - start_ns <= ?6";
    if (f.errors_only)
      sql += " AND status = 2";
    if (!f.attribute_key.empty())
      sql += " AND EXISTS (SELECT 1 FROM json_each(spans.attributes) a WHERE "
             "json_extract(a.value, '$.key') = ?7 AND CAST(json_extract("
             "a.value, '$.value') AS TEXT) = ?8)";
    if (f.before_start_ns > 0)
      sql += " AND (start_ns < ?9 OR (start_ns = ?9 AND id < ?10))";
    sql += " ORDER BY start_ns DESC, id DESC LIMIT ?11";
    SQLite::Statement q{r.db(), sql};
    q.bind(1, f.since_ns);
    if (f.until_ns > 0)
      q.bind(2, f.until_ns);
    if (!f.component.empty())
      q.bind(3, f.component);
    if (!f.operation.empty())
      q.bind(4, f.operation);
    if (f.min_duration_ns > 0)
      q.bind(5, f.min_duration_ns);
    if (f.max_duration_ns > 0)
      q.bind(6, f.max_duration_ns);
    if (!f.attribute_key.empty()) {
      q.bind(7, f.attribute_key);
      q.bind(8, f.attribute_value);
    }
    if (f.before_start_ns > 0) {
      q.bind(9, f.before_start_ns);
      q.bind(10, f.before_id);
    }
    // One more than asked: whether there is a next page.
    q.bind(11, static_cast<int64_t>(f.limit + 1));
    span_search_page page;
    int64_t last_start = 0;
    int64_t last_id = 0;
    while (q.executeStep()) {
      if (page.spans.size() == f.limit) {
        page.more = true;
        break;
      }
      page.spans.push_back(span_from_row(q));
      last_start = page.spans.back().start_ns;
      last_id = q.getColumn(14).getInt64();
    }
    if (page.more) {
      page.next_start_ns = last_start;
      page.next_id = last_id;
    }
    return page;
  });
}

} // namespace argus::storage
