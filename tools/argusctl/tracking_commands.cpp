#include "tools/argusctl/tracking_commands.hpp"

#include "actors/tracker/features.hpp"
#include "actors/tracker/stats.hpp"
#include "actors/tracker/views.hpp"
#include "config/load.hpp"
#include "messages/error.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "storage/reader.hpp"
#include "storage/readers/traces.hpp"
#include "storage/readers/tracking.hpp"
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

#include "tools/argusctl/commands.hpp"
#include "tools/argusctl/common.hpp"
#include <nlohmann/json.hpp>

namespace argus::ctl {

namespace {

using nlohmann::json;

/// Opens `db` and asks `query(reader, since)` for rows. @returns them, or
/// nothing after setting `code`: 2 for a bad `since`, 1 for a database that
/// fails (saying why on stderr), 0 for no such rows yet (saying so, as
/// `nothing_yet` does, of `none`).
template <class Query>
auto fetch(const std::string& db, const std::string& since,
           const std::string& none, const std::string& output, int& code,
           Query query)
  -> std::optional<std::decay_t<
    decltype(*query(std::declval<storage::db_reader&>(), int64_t{}))>> {
  auto from = since_ns(since);
  if (!from) {
    code = exit_usage;
    return std::nullopt;
  }
  auto r = open_db(db);
  code = exit_failed;
  if (!r)
    return std::nullopt;
  auto rows = query(*r, *from);
  if (!ok(rows))
    return std::nullopt;
  if (rows->empty()) {
    code = nothing_yet_since(none, since, output, json::object());
    return std::nullopt;
  }
  code = 0;
  return std::move(*rows);
}

} // namespace

int tracking_regimes(const std::string& db, const std::string& since,
                     const std::string& output) {
  int code = 0;
  auto rows = fetch(db, since, "regimes", output, code,
                    [](storage::db_reader& r, int64_t from) {
                      return storage::regimes(r, from);
                    });
  if (!rows)
    return code;
  std::vector<regime_observation> xs;
  for (auto& [t, regime] : *rows)
    xs.push_back({t, regime});
  // The database may be one argusd no longer writes: the current regime is
  // known to have lasted until its last observation.
  auto s = summarize_regimes(xs, xs.back().time_ns);
  if (structured(output)) {
    auto j = to_json(s);
    j["observations"] = xs.size();
    print_structured(j, output);
    return 0;
  }
  out() << "CURRENT  " << s.current << " since "
        << time_text(s.current_since_ns) << " ("
        << fixed(static_cast<double>(s.current_duration_ns) / 1e9, 1)
        << " s)\n\nTRANSITION MATRIX (row: from, column: to)\n";
  std::vector<std::string> names;
  for (const auto& [regime, share] : s.time_share)
    names.push_back(regime);
  std::vector<std::string> header{""};
  header.insert(header.end(), names.begin(), names.end());
  text_table matrix{std::move(header)};
  for (const auto& from : names) {
    std::vector<std::string> cells{from};
    for (const auto& to : names) {
      auto row = s.transition_matrix.find(from);
      double p = 0;
      if (row != s.transition_matrix.end())
        if (auto c = row->second.find(to); c != row->second.end())
          p = c->second;
      cells.push_back(fixed(p, 2));
    }
    matrix.add(std::move(cells));
  }
  matrix.print(out());
  out() << "\n";
  text_table durations{{"REGIME", "MEAN_S", "MEDIAN_S", "TIME SHARE"}};
  for (const auto& n : names)
    durations.add({n, fixed(s.mean_duration_s[n], 1),
                   fixed(s.median_duration_s[n], 1),
                   fixed(s.time_share[n] * 100, 1) + "%"});
  durations.print(out());
  out() << "\n"
        << s.transitions.size() << " transitions over " << xs.size()
        << " observations\n";
  return 0;
}

int tracking_ensembles(const std::string& db, const std::string& id,
                       const std::string& since, const std::string& output) {
  int code = 0;
  auto rows = fetch(db, since, "ensemble decisions", output, code,
                    [&](storage::db_reader& r, int64_t from) {
                      return storage::ensembles(r, id, from);
                    });
  if (!rows)
    return code;
  std::map<std::string, std::vector<ensemble_observation>> by_id;
  for (auto& e : *rows) {
    ensemble_observation x;
    x.time_ns = e.time_ns;
    x.predictions = std::move(e.predictions);
    x.weights = std::move(e.weights);
    // Offline, the trades under the decision's correlation id tell what
    // turned out right (labels are not stored).
    x.outcome = outcome_of_pnl(e.final_prediction, e.realized_pnl);
    x.final_prediction = std::move(e.final_prediction);
    x.meta_learner_prediction = std::move(e.meta_learner_prediction);
    by_id[e.ensemble_id].push_back(std::move(x));
  }
  json by_ensemble = json::object();
  for (const auto& [ensemble, xs] : by_id) {
    auto s = summarize_ensembles(xs);
    if (structured(output)) {
      by_ensemble[ensemble] = to_json(s);
      continue;
    }
    auto percent = [](double x) {
      return std::isfinite(x) ? fixed(x * 100, 1) + "%" : std::string{"-"};
    };
    out() << "ENSEMBLE " << ensemble << ": " << s.decisions
          << " decisions, disagreement " << fixed(s.mean_disagreement, 4)
          << ", vote entropy " << fixed(s.mean_vote_entropy, 3)
          << " bits, meta-learner overrides " << fixed(s.override_rate * 100, 1)
          << "%\n"
          << "OUTCOMES " << s.with_outcome
          << " decisions with PnL: final right " << percent(s.final_hit_rate)
          << ", weighted vote right " << percent(s.weighted_vote_hit_rate)
          << ", meta-learner right " << percent(s.meta_learner_hit_rate)
          << "\n";
    text_table members{
      {"  MEMBER", "AGREES WITH", "RIGHT", "WEIGHT NOW", "MEAN WEIGHT"}};
    for (const auto& [m, a] : s.agreement_with_final) {
      auto right = s.agreement_with_outcome.find(m);
      members.add({"  " + m, percent(a),
                   right == s.agreement_with_outcome.end()
                     ? std::string{"-"}
                     : percent(right->second),
                   fixed(s.latest_weight[m], 3), fixed(s.mean_weight[m], 3)});
    }
    members.print(out());
  }
  if (structured(output))
    print_structured(by_ensemble, output);
  return 0;
}

int tracking_features(const std::string& db, const std::string& model_id,
                      size_t top, const std::string& since,
                      const std::string& output) {
  int code = 0;
  auto rows = fetch(db, since,
                    "feature scores"
                      + (model_id.empty() ? "" : " of '" + model_id + "'"),
                    output, code, [&](storage::db_reader& r, int64_t from) {
                      return storage::feature_scores(r, model_id, from);
                    });
  if (!rows)
    return code;
  // Replayed through the tracker's own feature tracking, unbounded.
  auto features = replay_feature_scores(*rows);
  if (structured(output)) {
    print_structured(features_json(features, model_id, top, 100), output);
    return 0;
  }
  auto value = [](double x, int digits) {
    return std::isfinite(x) ? fixed(x, digits) : std::string{"-"};
  };
  for (const auto& [model, records] : features.models()) {
    if (!model_id.empty() && model != model_id)
      continue;
    out() << "MODEL " << model << "\n";
    text_table table{
      {"RANK", "FEATURE", "IMPORTANCE", "STABILITY", "DRIFT", "RANK CHANGES"}};
    for (const auto& [name, rec] : features.ranked(model, top)) {
      const auto& p = rec->latest;
      table.add({p.rank == 0 ? std::string{"-"} : std::to_string(p.rank), name,
                 value(p.importance, 4), value(p.stability, 3),
                 value(p.drift, 4), std::to_string(rec->rank_changes)});
    }
    table.print(out());
    out() << "\n";
  }
  size_t shown = 0;
  const auto& changes = features.recent_changes();
  for (auto i = changes.rbegin(); i != changes.rend() && shown < 10; ++i) {
    if ((!model_id.empty() && i->model_id != model_id) || i->from_rank == 0)
      continue;
    if (shown++ == 0)
      out() << "LATEST RANK CHANGES\n";
    out() << "  " << time_text(i->time_ns) << "  " << i->model_id << "/"
          << i->feature << "  " << i->from_rank << " -> "
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
  auto steps = storage::decision_path(*r, cid);
  if (!ok(steps))
    return exit_failed;
  if (steps->empty())
    return fail("no decision path stored for '" + cid + "' in " + db);
  // The same correlation id names the request's trace.
  size_t spans = 0;
  if (auto corr = correlation_id::parse(cid))
    if (auto s = storage::spans_for(*r, *corr))
      spans = s->size();
  if (structured(output)) {
    auto trace = trace_link(cid);
    trace["argusctl"] = "argusctl trace " + cid + " --db " + db;
    trace["spans"] = spans;
    print_structured(
      json{{"correlation_id", cid}, {"steps", *steps}, {"trace", trace}},
      output);
    return 0;
  }
  out() << "DECISION PATH " << cid << "\n";
  text_table table{
    {"STEP", "COMPONENT", "NAME", "DECIDED BY", "MS", "OUTPUTS"}};
  for (const auto& s : *steps)
    table.add(
      {std::to_string(s["step"].get<int64_t>()),
       s["component"].get<std::string>(), s["name"].get<std::string>(),
       s["decided_by"].get<std::string>(),
       ms_text(s["end_ns"].get<int64_t>() - s["start_ns"].get<int64_t>()),
       dump_json(s["outputs"])});
  table.print(out());
  out() << "\nTRACE    " << spans << " spans: argusctl trace " << cid
        << " --db " << db << "\n";
  return 0;
}

void add_tracking_commands(CLI::App& app, command_table& table) {
  struct options {
    std::string db;
    std::string since;
    std::string id;
    std::string model;
    size_t top = 0;
    std::string cid;
    std::string output = "table";
  };
  auto o = std::make_shared<options>();
  auto tracking = app.add_subcommand(
    "tracking",
    "regimes, ensembles, features and decision paths from the spec's tables");
  tracking->require_subcommand(1);
  auto since = [o](CLI::App* cmd) {
    add_since(cmd, o->since);
  };
  auto regimes = tracking->add_subcommand(
    "regimes", "current regime, transition matrix, durations, time shares");
  add_db(regimes, o->db);
  since(regimes);
  add_output(regimes, o->output);
  table.push_back({regimes, [o] {
                     return tracking_regimes(o->db, o->since, o->output);
                   }});
  auto ensembles = tracking->add_subcommand(
    "ensembles", "disagreement, vote entropy, meta-learner overrides, "
                 "members' agreement and weights");
  add_db(ensembles, o->db);
  ensembles->add_option("--id", o->id, "only this ensemble");
  since(ensembles);
  add_output(ensembles, o->output);
  table.push_back({ensembles, [o] {
                     return tracking_ensembles(o->db, o->id, o->since,
                                               o->output);
                   }});
  auto features = tracking->add_subcommand(
    "features", "feature importance, stability, drift and rank per model, "
                "and the latest rank changes");
  add_db(features, o->db);
  features->add_option("--model", o->model, "only this model");
  features->add_option("--top", o->top, "only the top K features by rank")
    ->check(CLI::PositiveNumber);
  since(features);
  add_output(features, o->output);
  table.push_back({features, [o] {
                     return tracking_features(o->db, o->model, o->top, o->since,
                                              o->output);
                   }});
  auto decisions = tracking->add_subcommand(
    "decisions", "one request's decision path, linked to its trace");
  decisions->add_option("cid", o->cid, "correlation id")->required();
  add_db(decisions, o->db);
  add_output(decisions, o->output);
  table.push_back({decisions, [o] {
                     return tracking_decisions(o->db, o->cid, o->output);
                   }});
}

} // namespace argus::ctl
