#include "storage/readers/reports.hpp"

#include "storage/schema.hpp"

#include <SQLiteCpp/Statement.h>

namespace argus::storage {

namespace {

constexpr const char* history_columns
  = "id, report_type, generated_at, schedule_type, recipients, file_path, "
    "status";

/// A database from before the table: nothing stored yet.
bool has_table(db_reader& r, const char* name) {
  SQLite::Statement q{r.db(), "SELECT 1 FROM sqlite_master WHERE type = "
                              "'table' AND name = ?"};
  q.bind(1, name);
  return q.executeStep();
}

} // namespace

caf::expected<nlohmann::json> report_history(db_reader& r,
                                             const std::string& report_type,
                                             size_t limit) {
  return detail::guarded([&] {
    SQLite::Statement q{r.db(), std::string{"SELECT "} + history_columns
                                  + " FROM report_history WHERE (?1 = '' OR "
                                    "report_type = ?1) ORDER BY id DESC "
                                    "LIMIT ?2"};
    q.bind(1, report_type);
    q.bind(2, static_cast<int64_t>(limit));
    return detail::rows_as_json(q, {"recipients"});
  });
}

caf::expected<std::optional<nlohmann::json>> report_run(db_reader& r,
                                                        int64_t id) {
  return detail::guarded([&]() -> std::optional<nlohmann::json> {
    SQLite::Statement q{r.db(), std::string{"SELECT "} + history_columns
                                  + " FROM report_history WHERE id = ?"};
    q.bind(1, id);
    auto rows = detail::rows_as_json(q, {"recipients"});
    if (rows.empty())
      return std::nullopt;
    return rows[0];
  });
}

caf::expected<std::map<std::string, int64_t>>
last_scheduled_runs(db_reader& r) {
  return detail::guarded([&] {
    std::map<std::string, int64_t> result;
    if (has_table(r, "report_entries")) {
      SQLite::Statement q{r.db(),
                          "SELECT name, last_run_ns FROM report_entries"};
      while (q.executeStep())
        result[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
    }
    // Runs from before report_entries: their type, which was then the
    // entry's name.
    SQLite::Statement q{r.db(), "SELECT report_type, max(generated_at) FROM "
                                "report_history WHERE schedule_type != "
                                "'on_demand' GROUP BY report_type"};
    while (q.executeStep())
      result.emplace(q.getColumn(0).getString(),
                     parse_sql_datetime(q.getColumn(1).getString()));
    return result;
  });
}

caf::expected<std::vector<std::pair<std::string, std::string>>>
report_configs(db_reader& r) {
  return detail::guarded([&] {
    std::vector<std::pair<std::string, std::string>> result;
    if (!has_table(r, "report_configs"))
      return result;
    SQLite::Statement q{r.db(), "SELECT name, definition FROM report_configs "
                                "ORDER BY name"};
    while (q.executeStep())
      result.emplace_back(q.getColumn(0).getString(),
                          q.getColumn(1).getString());
    return result;
  });
}

} // namespace argus::storage
