#include "storage/readers/tracking.hpp"

#include <SQLiteCpp/Statement.h>

namespace argus::storage {

caf::expected<std::vector<std::pair<int64_t, std::string>>>
regimes(db_reader& r, int64_t since_ns) {
  return detail::guarded([&] {
    SQLite::Statement q{r.db(), "SELECT timestamp, coalesce(regime_type, '') "
                                "FROM regime_tracking WHERE timestamp >= ? "
                                "ORDER BY timestamp, id"};
    q.bind(1, sql_datetime(since_ns));
    std::vector<std::pair<int64_t, std::string>> result;
    while (q.executeStep())
      result.emplace_back(parse_sql_datetime(q.getColumn(0).getString()),
                          q.getColumn(1).getString());
    return result;
  });
}

caf::expected<std::string> regime_at(db_reader& r, int64_t at_ns) {
  return detail::guarded([&] {
    SQLite::Statement q{r.db(), "SELECT coalesce(regime_type, '') FROM "
                                "regime_tracking WHERE timestamp < ? ORDER BY "
                                "timestamp DESC, id DESC LIMIT 1"};
    q.bind(1, sql_datetime(at_ns));
    return q.executeStep() ? q.getColumn(0).getString() : std::string{};
  });
}

caf::expected<std::map<std::string, std::vector<std::string>>>
models_behind_fills(db_reader& r, int64_t from_ns, int64_t to_ns) {
  return detail::guarded([&] {
    SQLite::Statement q{
      r.db(), "SELECT DISTINCT t.correlation_id, j.key FROM trades t JOIN "
              "row_correlation c ON c.correlation_id = t.correlation_id AND "
              "c.table_name = 'ensemble_tracking' JOIN ensemble_tracking e ON "
              "e.id = c.row_id, json_each(e.individual_predictions) j WHERE "
              "t.time_ns >= ? AND t.time_ns < ? AND t.correlation_id IS NOT "
              "NULL AND json_valid(e.individual_predictions)"};
    q.bind(1, from_ns);
    q.bind(2, to_ns);
    std::map<std::string, std::vector<std::string>> result;
    while (q.executeStep())
      result[q.getColumn(0).getString()].push_back(q.getColumn(1).getString());
    return result;
  });
}

namespace {

/// Reads a flat JSON object's numeric members into a map without building
/// a document (a query reads thousands of these per second of history).
/// Anything else (nested values, strings) is skipped; text that is not an
/// object gives an empty map.
class number_map_reader {
public:
  explicit number_map_reader(std::map<std::string, double>& out) : out_(out) {
  }

  bool null() {
    return true;
  }
  bool boolean(bool) {
    return true;
  }
  bool number_integer(nlohmann::json::number_integer_t x) {
    return number(static_cast<double>(x));
  }
  bool number_unsigned(nlohmann::json::number_unsigned_t x) {
    return number(static_cast<double>(x));
  }
  bool number_float(nlohmann::json::number_float_t x, const std::string&) {
    return number(x);
  }
  bool string(std::string&) {
    return true;
  }
  bool binary(nlohmann::json::binary_t&) {
    return true;
  }
  bool start_object(std::size_t) {
    if (depth_ == 0)
      is_object_ = true;
    ++depth_;
    return true;
  }
  bool key(std::string& k) {
    if (depth_ == 1)
      key_ = std::move(k);
    return true;
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception&) {
    out_.clear();
    return false;
  }

  bool is_object() const noexcept {
    return is_object_;
  }

private:
  bool number(double x) {
    if (depth_ == 1 && is_object_)
      out_[key_] = x;
    return true;
  }

  std::map<std::string, double>& out_;
  std::string key_;
  int depth_ = 0;
  bool is_object_ = false;
};

std::map<std::string, double> number_map(const SQLite::Column& column) {
  std::map<std::string, double> result;
  if (column.isNull())
    return result;
  const char* text = column.getText();
  number_map_reader reader{result};
  nlohmann::json::sax_parse(text, text + column.getBytes(), &reader);
  return result;
}

} // namespace

caf::expected<std::vector<stored_ensemble_decision>>
ensembles(db_reader& r, const std::string& ensemble_id, int64_t since_ns) {
  return detail::guarded([&] {
    // The realised PnL of the trades under the decision's correlation id
    // tells what turned out right.
    SQLite::Statement q{
      r.db(), "SELECT e.timestamp, e.ensemble_id, e.individual_predictions, "
              "e.ensemble_weights, coalesce(e.final_prediction, ''), "
              "coalesce(e.confidence, 0), "
              "coalesce(e.meta_learner_prediction, ''), "
              "coalesce(rc.correlation_id, ''), coalesce((SELECT "
              "sum(realized_pnl) FROM trades t WHERE t.correlation_id = "
              "rc.correlation_id), 0) "
              "FROM ensemble_tracking e LEFT JOIN row_correlation rc ON "
              "rc.table_name = 'ensemble_tracking' AND rc.row_id = e.id "
              "WHERE (?1 = '' OR e.ensemble_id = ?1) AND e.timestamp >= ?2 "
              "ORDER BY e.timestamp, e.id"};
    q.bind(1, ensemble_id);
    q.bind(2, sql_datetime(since_ns));
    std::vector<stored_ensemble_decision> result;
    while (q.executeStep()) {
      stored_ensemble_decision x;
      x.time_ns = parse_sql_datetime(q.getColumn(0).getString());
      x.ensemble_id = q.getColumn(1).getString();
      x.predictions = number_map(q.getColumn(2));
      x.weights = number_map(q.getColumn(3));
      x.final_prediction = q.getColumn(4).getString();
      x.confidence = q.getColumn(5).getDouble();
      x.meta_learner_prediction = q.getColumn(6).getString();
      x.correlation_id = q.getColumn(7).getString();
      x.realized_pnl = q.getColumn(8).getDouble();
      result.push_back(std::move(x));
    }
    return result;
  });
}

nlohmann::json to_json(const stored_ensemble_decision& x) {
  return {{"time_ns", x.time_ns},
          {"ensemble_id", x.ensemble_id},
          {"predictions", x.predictions},
          {"weights", x.weights},
          {"final", x.final_prediction},
          {"confidence", x.confidence},
          {"meta", x.meta_learner_prediction},
          {"correlation_id", x.correlation_id},
          {"realized_pnl", x.realized_pnl}};
}

caf::expected<nlohmann::json>
feature_scores(db_reader& r, const std::string& model_id, int64_t since_ns) {
  return detail::guarded([&] {
    SQLite::Statement q{
      r.db(), "SELECT timestamp, coalesce(model_id, ''), feature_importance, "
              "drift_scores FROM model_behavior_tracking WHERE (?1 = '' OR "
              "model_id = ?1) AND timestamp >= ?2 AND (feature_importance IS "
              "NOT NULL OR drift_scores IS NOT NULL) ORDER BY timestamp, id"};
    q.bind(1, model_id);
    q.bind(2, sql_datetime(since_ns));
    auto numbers = [](const SQLite::Column& c) {
      nlohmann::json out = nlohmann::json::object();
      if (c.isNull())
        return out;
      auto j = nlohmann::json::parse(c.getString(), nullptr, false);
      if (j.is_object())
        for (const auto& [k, v] : j.items())
          if (v.is_number())
            out[k] = v;
      return out;
    };
    nlohmann::json arr = nlohmann::json::array();
    while (q.executeStep())
      arr.push_back(
        {{"time_ns", parse_sql_datetime(q.getColumn(0).getString())},
         {"model_id", q.getColumn(1).getString()},
         {"importance", numbers(q.getColumn(2))},
         {"drift_scores", numbers(q.getColumn(3))}});
    return arr;
  });
}

caf::expected<nlohmann::json> decision_path(db_reader& r,
                                            const std::string& corr) {
  return detail::guarded([&] {
    SQLite::Statement q{
      r.db(), "SELECT step, component, name, coalesce(decided_by, '') AS "
              "decided_by, inputs, "
              "outputs, start_ns, end_ns FROM decision_steps WHERE "
              "correlation_id = ? ORDER BY step, start_ns"};
    q.bind(1, corr);
    return detail::rows_as_json(q, {"inputs", "outputs"});
  });
}

} // namespace argus::storage
