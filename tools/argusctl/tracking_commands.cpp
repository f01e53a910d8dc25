#include "tools/argusctl/tracking_commands.hpp"

#include "actors/tracker_features.hpp"
#include "actors/tracker_stats.hpp"
#include "actors/tracker_views.hpp"
#include "config/load.hpp"
#include "messages/error.hpp"
#include "messages/time.hpp"
#include "storage/reader.hpp"
#include "storage/schema.hpp"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

namespace argus::ctl {

namespace {

using nlohmann::json;

std::unique_ptr<storage::db_reader> open_db(const std::string& db) {
  auto reader = storage::db_reader::open(db);
  if (!reader) {
    std::cerr << "argusctl: " << describe(reader.error()) << "\n";
    return nullptr;
  }
  return std::move(*reader);
}

/// `since` as a start time (0 for all), or nothing on a bad duration.
std::optional<int64_t> since_ns(const std::string& since) {
  if (since.empty())
    return int64_t{0};
  auto d = config::parse_duration(since);
  if (!d) {
    std::cerr << "argusctl: --since wants a duration like 15m or 1h\n";
    return std::nullopt;
  }
  return wall_clock_ns()
         - std::chrono::duration_cast<std::chrono::nanoseconds>(*d).count();
}

/// Opens `db` and asks `query(reader, since)` for rows. @returns them, or
/// nothing after saying why on stderr and setting `code`: 2 for a bad
/// `since`, 1 for a database that fails or holds no such rows (`none`).
template <class Query>
auto fetch(const std::string& db, const std::string& since,
           const std::string& none, int& code, Query query)
  -> std::optional<std::decay_t<
    decltype(*query(std::declval<storage::db_reader&>(), int64_t{}))>> {
  auto from = since_ns(since);
  if (!from) {
    code = 2;
    return std::nullopt;
  }
  auto r = open_db(db);
  code = 1;
  if (!r)
    return std::nullopt;
  auto rows = query(*r, *from);
  if (!rows) {
    std::cerr << "argusctl: " << describe(rows.error()) << "\n";
    return std::nullopt;
  }
  if (rows->empty()) {
    std::cerr << "argusctl: " << none << "\n";
    return std::nullopt;
  }
  code = 0;
  return std::move(*rows);
}

std::string fixed(double x, int digits = 2) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << x;
  return os.str();
}

} // namespace

int tracking_regimes(const std::string& db, const std::string& since,
                     const std::string& output) {
  int code = 0;
  auto rows = fetch(db, since, "no regimes stored in " + db, code,
                    [](storage::db_reader& r, int64_t from) {
                      return r.regimes(from);
                    });
  if (!rows)
    return code;
  std::vector<regime_observation> xs;
  for (auto& [t, regime] : *rows)
    xs.push_back({t, regime});
  // The database may be one argusd no longer writes: the current regime is
  // known to have lasted until its last observation.
  auto s = summarize_regimes(xs, xs.back().time_ns);
  if (output == "json") {
    auto out = to_json(s);
    out["observations"] = xs.size();
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "CURRENT  " << s.current << " since "
            << storage::sql_datetime(s.current_since_ns) << "Z ("
            << fixed(static_cast<double>(s.current_duration_ns) / 1e9, 1)
            << " s)\n\nTRANSITION MATRIX (row: from, column: to)\n";
  std::vector<std::string> names;
  for (const auto& [regime, share] : s.time_share)
    names.push_back(regime);
  std::cout << std::left << std::setw(14) << "";
  for (const auto& n : names)
    std::cout << std::setw(14) << n;
  std::cout << "\n";
  for (const auto& from : names) {
    std::cout << std::left << std::setw(14) << from;
    for (const auto& to : names) {
      auto row = s.transition_matrix.find(from);
      double p = 0;
      if (row != s.transition_matrix.end())
        if (auto c = row->second.find(to); c != row->second.end())
          p = c->second;
      std::cout << std::setw(14) << fixed(p);
    }
    std::cout << "\n";
  }
  std::cout << "\n"
            << std::left << std::setw(14) << "REGIME" << std::setw(14)
            << "MEAN_S" << std::setw(14) << "MEDIAN_S"
            << "TIME SHARE\n";
  for (const auto& n : names)
    std::cout << std::left << std::setw(14) << n << std::setw(14)
              << fixed(s.mean_duration_s[n], 1) << std::setw(14)
              << fixed(s.median_duration_s[n], 1)
              << fixed(s.time_share[n] * 100, 1) << "%\n";
  std::cout << "\n"
            << s.transitions.size() << " transitions over " << xs.size()
            << " observations\n";
  return 0;
}

int tracking_ensembles(const std::string& db, const std::string& id,
                       const std::string& since, const std::string& output) {
  int code = 0;
  auto rows = fetch(db, since, "no ensemble decisions stored in " + db, code,
                    [&](storage::db_reader& r, int64_t from) {
                      return r.ensembles(id, from);
                    });
  if (!rows)
    return code;
  std::map<std::string, std::vector<ensemble_observation>> by_id;
  for (const auto& e : *rows) {
    ensemble_observation x;
    x.time_ns = e["time_ns"].get<int64_t>();
    for (const auto& [m, p] : e["predictions"].items())
      if (p.is_number())
        x.predictions[m] = p.get<double>();
    for (const auto& [m, w] : e["weights"].items())
      if (w.is_number())
        x.weights[m] = w.get<double>();
    x.final_prediction = e["final"].get<std::string>();
    x.meta_learner_prediction = e["meta"].get<std::string>();
    // Offline, the trades under the decision's correlation id tell what
    // turned out right (labels are not stored).
    x.outcome
      = outcome_of_pnl(x.final_prediction, e["realized_pnl"].get<double>());
    by_id[e["ensemble_id"].get<std::string>()].push_back(std::move(x));
  }
  json out = json::object();
  for (const auto& [ensemble, xs] : by_id) {
    auto s = summarize_ensembles(xs);
    if (output == "json") {
      out[ensemble] = to_json(s);
      continue;
    }
    auto percent = [](double x) {
      return std::isfinite(x) ? fixed(x * 100, 1) + "%" : std::string{"-"};
    };
    std::cout << "ENSEMBLE " << ensemble << ": " << s.decisions
              << " decisions, disagreement " << fixed(s.mean_disagreement, 4)
              << ", vote entropy " << fixed(s.mean_vote_entropy, 3)
              << " bits, meta-learner overrides "
              << fixed(s.override_rate * 100, 1) << "%\n"
              << "OUTCOMES " << s.with_outcome
              << " decisions with PnL: final right "
              << percent(s.final_hit_rate) << ", weighted vote right "
              << percent(s.weighted_vote_hit_rate) << ", meta-learner right "
              << percent(s.meta_learner_hit_rate) << "\n"
              << std::left << std::setw(20) << "  MEMBER" << std::setw(16)
              << "AGREES WITH" << std::setw(14) << "RIGHT" << std::setw(14)
              << "WEIGHT NOW"
              << "MEAN WEIGHT\n";
    for (const auto& [m, a] : s.agreement_with_final) {
      auto right = s.agreement_with_outcome.find(m);
      std::cout << "  " << std::left << std::setw(18) << m << std::setw(16)
                << percent(a) << std::setw(14)
                << (right == s.agreement_with_outcome.end()
                      ? std::string{"-"}
                      : percent(right->second))
                << std::setw(14) << fixed(s.latest_weight[m], 3)
                << fixed(s.mean_weight[m], 3) << "\n";
    }
  }
  if (output == "json")
    std::cout << out.dump(2) << "\n";
  return 0;
}

int tracking_features(const std::string& db, const std::string& model_id,
                      size_t top, const std::string& since,
                      const std::string& output) {
  int code = 0;
  auto rows = fetch(db, since,
                    "no feature scores stored in " + db
                      + (model_id.empty() ? "" : " for '" + model_id + "'"),
                    code, [&](storage::db_reader& r, int64_t from) {
                      return r.feature_scores(model_id, from);
                    });
  if (!rows)
    return code;
  // Replayed through the tracker's own feature tracking, unbounded.
  feature_tracker features{{}, std::numeric_limits<size_t>::max()};
  for (const auto& row : *rows)
    features.update({row["model_id"].get<std::string>(),
                     row["time_ns"].get<int64_t>(),
                     row["importance"].get<std::map<std::string, double>>(),
                     row["drift_scores"].get<std::map<std::string, double>>()});
  if (output == "json") {
    std::cout << features_json(features, model_id, top, 100).dump(2) << "\n";
    return 0;
  }
  auto value = [](double x, int digits) {
    return std::isfinite(x) ? fixed(x, digits) : std::string{"-"};
  };
  for (const auto& [model, records] : features.models()) {
    if (!model_id.empty() && model != model_id)
      continue;
    std::cout << "MODEL " << model << "\n"
              << std::left << std::setw(6) << "RANK" << std::setw(22)
              << "FEATURE" << std::setw(12) << "IMPORTANCE" << std::setw(11)
              << "STABILITY" << std::setw(10) << "DRIFT"
              << "RANK CHANGES\n";
    for (const auto& [name, rec] : features.ranked(model, top)) {
      const auto& p = rec->latest;
      std::cout << std::left << std::setw(6)
                << (p.rank == 0 ? std::string{"-"} : std::to_string(p.rank))
                << std::setw(22) << name << std::setw(12)
                << value(p.importance, 4) << std::setw(11)
                << value(p.stability, 3) << std::setw(10) << value(p.drift, 4)
                << rec->rank_changes << "\n";
    }
    std::cout << "\n";
  }
  size_t shown = 0;
  const auto& changes = features.recent_changes();
  for (auto i = changes.rbegin(); i != changes.rend() && shown < 10; ++i) {
    if ((!model_id.empty() && i->model_id != model_id) || i->from_rank == 0)
      continue;
    if (shown++ == 0)
      std::cout << "LATEST RANK CHANGES\n";
    std::cout << "  " << storage::sql_datetime(i->time_ns) << "Z  "
              << i->model_id << "/" << i->feature << "  " << i->from_rank
              << " -> "
              << (i->to_rank == 0 ? std::string{"unranked"}
                                  : std::to_string(i->to_rank))
              << "\n";
  }
  return 0;
}

int tracking_decisions(const std::string& db, const std::string& cid,
                       const std::string& output) {
  auto r = open_db(db);
  if (!r)
    return 1;
  auto steps = r->decision_path(cid);
  if (!steps) {
    std::cerr << "argusctl: " << describe(steps.error()) << "\n";
    return 1;
  }
  if (steps->empty()) {
    std::cerr << "argusctl: no decision path stored for '" << cid << "' in "
              << db << "\n";
    return 1;
  }
  // The same correlation id names the request's trace.
  size_t spans = 0;
  if (auto corr = correlation_id::parse(cid))
    if (auto s = r->spans_for(*corr))
      spans = s->size();
  if (output == "json") {
    auto trace = trace_link(cid);
    trace["argusctl"] = "argusctl trace " + cid + " --db " + db;
    trace["spans"] = spans;
    std::cout << json{{"correlation_id", cid},
                      {"steps", *steps},
                      {"trace", trace}}
                   .dump(2)
              << "\n";
    return 0;
  }
  std::cout << "DECISION PATH " << cid << "\n"
            << std::left << std::setw(6) << "STEP" << std::setw(13)
            << "COMPONENT" << std::setw(22) << "NAME" << std::setw(20)
            << "DECIDED BY" << std::setw(10) << "MS"
            << "OUTPUTS\n";
  for (const auto& s : *steps) {
    double ms = static_cast<double>(s["end_ns"].get<int64_t>()
                                    - s["start_ns"].get<int64_t>())
                / 1e6;
    std::cout << std::left << std::setw(6) << s["step"].get<int64_t>()
              << std::setw(13) << s["component"].get<std::string>()
              << std::setw(22) << s["name"].get<std::string>() << std::setw(20)
              << s["decided_by"].get<std::string>() << std::setw(10)
              << fixed(ms, 3) << s["outputs"].dump() << "\n";
  }
  std::cout << "\nTRACE    " << spans << " spans: argusctl trace " << cid
            << " --db " << db << "\n";
  return 0;
}

} // namespace argus::ctl
