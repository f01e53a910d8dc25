#include "tools/argusctl/ml_commands.hpp"

#include "actors/ml_monitor/detectors.hpp"
#include "actors/ml_monitor/drift.hpp"
#include "messages/error.hpp"
#include "messages/json_text.hpp"
#include "storage/reader.hpp"
#include "storage/readers/ml.hpp"
#include "storage/schema.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <variant>

#include "tools/argusctl/commands.hpp"
#include "tools/argusctl/common.hpp"
#include <nlohmann/json.hpp>

namespace argus::ctl {

namespace {

using nlohmann::json;

/// The non-blank lines of `path`, or nothing (the reason printed).
std::optional<std::vector<std::string>> read_lines(const std::string& path) {
  std::ifstream in{path};
  if (!in) {
    fail("cannot read " + path, exit_usage);
    return std::nullopt;
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos)
      continue;
    auto e = line.find_last_not_of(" \t\r");
    lines.push_back(line.substr(b, e - b + 1));
  }
  return lines;
}

/// Numbers, one a line; a line that is not one is named with its number.
std::optional<std::vector<double>> read_numbers(const std::string& path) {
  std::ifstream in{path};
  if (!in) {
    fail("cannot read " + path, exit_usage);
    return std::nullopt;
  }
  std::vector<double> xs;
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    auto first = line.find_first_not_of(" \t");
    auto last = line.find_last_not_of(" \t\r");
    auto x
      = parse_decimal(std::string_view{line}.substr(first, last - first + 1));
    if (!x) {
      fail(path + ":" + std::to_string(n) + ": not a number: '" + line + "'",
           exit_usage);
      return std::nullopt;
    }
    xs.push_back(*x);
  }
  return xs;
}

json number_or_null(double x) {
  return std::isfinite(x) ? json(x) : json();
}

} // namespace

int drift_test(const drift_test_options& o, const std::string& output) {
  drift::method_result r;
  size_t nr = 0;
  size_t nc = 0;
  try {
    if (o.categorical) {
      auto ref = read_lines(o.reference);
      auto cur = read_lines(o.current);
      if (!ref || !cur)
        return 2;
      nr = ref->size();
      nc = cur->size();
      r = drift::run_categorical(o.method, *ref, *cur, o.alpha, o.threshold,
                                 o.critical);
    } else {
      auto ref = read_numbers(o.reference);
      auto cur = read_numbers(o.current);
      if (!ref || !cur)
        return 2;
      nr = ref->size();
      nc = cur->size();
      r = drift::run_method(o.method, *ref, *cur, o.alpha, o.threshold,
                            o.critical);
    }
  } catch (const std::invalid_argument& e) {
    return fail(e.what(), exit_usage);
  }
  if (structured(output)) {
    print_structured(json{{"method", r.method},
                          {"statistic", number_or_null(r.statistic)},
                          {"pvalue", number_or_null(r.pvalue)},
                          {"score", number_or_null(r.score)},
                          {"drift", r.drift},
                          {"severity", to_string(r.level)},
                          {"reference_size", nr},
                          {"current_size", nc},
                          {"new_categories", r.new_categories}},
                     output);
    return r.drift ? exit_drift : 0;
  }
  out() << std::setprecision(10) << "METHOD     " << r.method << "\n"
        << "STATISTIC  " << r.statistic << "\n"
        << "P-VALUE    "
        << (std::isfinite(r.pvalue) ? std::to_string(r.pvalue) : "-") << "\n"
        << "SCORE      " << r.score << "\n"
        << "DRIFT      " << (r.drift ? "yes" : "no") << " (severity "
        << to_string(r.level) << ")\n"
        << "SAMPLES    " << nr << " reference, " << nc << " current\n";
  if (!r.new_categories.empty()) {
    out() << "NEW        ";
    for (const auto& c : r.new_categories)
      out() << c << " ";
    out() << "\n";
  }
  return r.drift ? exit_drift : 0;
}

int detect(const std::string& detector, const std::string& stream,
           const std::vector<std::string>& params, const std::string& output) {
  std::map<std::string, double> p;
  for (const auto& kv : params) {
    auto eq = kv.find('=');
    std::optional<double> v;
    if (eq != std::string::npos && eq > 0)
      v = parse_decimal(std::string_view{kv}.substr(eq + 1));
    if (!v)
      return fail("--param wants name=number, got '" + kv + "'", exit_usage);
    p[kv.substr(0, eq)] = *v;
  }
  // Takes the known parameters of a detector (a count must be a whole
  // number); any other name is an error. Then checks their ranges.
  using slot = std::variant<double*, int*>;
  auto take = [&](std::map<std::string, slot> known, const auto& params) {
    for (const auto& [k, v] : p) {
      auto i = known.find(k);
      if (i == known.end()) {
        std::string names;
        for (const auto& [name, _] : known)
          names += " " + name;
        fail(detector + " has no parameter '" + k + "' (it has:" + names + ")",
             exit_usage);
        return false;
      }
      if (auto real = std::get_if<double*>(&i->second)) {
        **real = v;
      } else if (v == std::floor(v) && std::abs(v) <= 1e9) {
        *std::get<int*>(i->second) = static_cast<int>(v);
      } else {
        fail(detector + " parameter " + k + " must be a whole number, got "
               + num(v),
             exit_usage);
        return false;
      }
    }
    if (auto problem = check(params)) {
      fail(detector + " parameter " + problem->param + " " + problem->rule,
           exit_usage);
      return false;
    }
    return true;
  };
  auto xs = read_numbers(stream);
  if (!xs)
    return 2;
  std::vector<size_t> warnings;
  std::vector<size_t> drifts;
  auto run = [&](auto& d) {
    for (size_t i = 0; i < xs->size(); ++i) {
      auto level = d.update((*xs)[i]);
      if (level == detector_level::warning)
        warnings.push_back(i);
      else if (level == detector_level::drift)
        drifts.push_back(i);
    }
  };
  if (detector == "adwin") {
    adwin_params a;
    if (!take({{"delta", &a.delta},
               {"clock", &a.clock},
               {"max_buckets", &a.max_buckets},
               {"min_window", &a.min_window},
               {"grace", &a.grace}},
              a))
      return 2;
    adwin d{a};
    run(d);
  } else if (detector == "page-hinkley") {
    page_hinkley_params a;
    if (!take({{"min_instances", &a.min_instances},
               {"delta", &a.delta},
               {"lambda", &a.lambda},
               {"alpha", &a.alpha}},
              a))
      return 2;
    page_hinkley d{a};
    run(d);
  } else if (detector == "ddm") {
    ddm_params a;
    if (!take({{"warm_start", &a.warm_start},
               {"warning", &a.warning},
               {"drift", &a.drift}},
              a))
      return 2;
    ddm d{a};
    run(d);
  } else {
    return fail("unknown detector '" + detector
                  + "' (adwin, page-hinkley, ddm)",
                exit_usage);
  }
  if (structured(output)) {
    print_structured(json{{"detector", detector},
                          {"values", xs->size()},
                          {"warnings", warnings},
                          {"drifts", drifts}},
                     output);
    return 0;
  }
  out() << "DETECTOR  " << detector << " (" << xs->size() << " values)\n"
        << "DRIFTS   ";
  for (auto i : drifts)
    out() << " " << i;
  out() << "\nWARNINGS  " << warnings.size() << "\n";
  return 0;
}

namespace {

/// Runs `query` on the database; prints the reason and returns nothing on
/// failure.
template <class F>
std::optional<json> query_db(const std::string& db, F query) {
  auto reader = open_db(db);
  if (!reader)
    return std::nullopt;
  auto result = query(*reader);
  if (!ok(result))
    return std::nullopt;
  return std::move(*result);
}

std::string cell(const json& j) {
  if (j.is_null())
    return "-";
  if (j.is_number_float()) {
    std::ostringstream os;
    os << std::setprecision(4) << j.get<double>();
    return os.str();
  }
  return j.is_string() ? j.get<std::string>() : dump_json(j);
}

std::string when(const json& ns) {
  return ns.is_number() ? time_text(ns.get<int64_t>()) : "-";
}

} // namespace

int models(const std::string& db, const std::string& output) {
  auto rows = query_db(db, [](storage::db_reader& r) {
    return storage::ml_models(r);
  });
  if (!rows)
    return 1;
  if (structured(output)) {
    print_structured(*rows, output);
    return 0;
  }
  if (rows->empty())
    return nothing_yet("models", output);
  // Each performance figure any model has is a column of its own.
  std::set<std::string> figures;
  for (const auto& m : *rows)
    if (m["performance"].is_object())
      for (const auto& [k, v] : m["performance"].items())
        figures.insert(k);
  std::vector<std::string> headers{"MODEL",   "VERSION",  "LAST CHECK",
                                   "DRIFTED", "DEGRADED", "RETRAINS"};
  for (const auto& f : figures) {
    std::string h = f;
    std::transform(h.begin(), h.end(), h.begin(), [](char c) {
      return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    headers.push_back(h);
  }
  text_table table{std::move(headers)};
  for (const auto& m : *rows) {
    std::vector<std::string> row{
      cell(m["model_id"]),      cell(m["model_version"]),
      when(m["last_check_ns"]), cell(m["drifted_features"]),
      cell(m["degradation"]),   cell(m["retrain_requests"])};
    for (const auto& f : figures) {
      const auto& perf = m["performance"];
      auto has = perf.is_object() && perf.contains(f);
      row.push_back(!has                  ? std::string{"-"}
                    : perf[f].is_number() ? num(perf[f].get<double>())
                                          : cell(perf[f]));
    }
    table.add(std::move(row));
  }
  table.print(out());
  return 0;
}

int drift_alerts(const std::string& db, const std::string& model,
                 const std::string& min_severity, size_t limit,
                 const std::string& output) {
  // Without --severity: every row, resolutions included.
  severity level = severity::none;
  if (!min_severity.empty() && !parse_severity(min_severity, level)) {
    return fail("--severity wants low, medium, high or critical", exit_usage);
  }
  auto rows = query_db(db, [&](storage::db_reader& r) {
    return storage::ml_alerts(r, model, static_cast<int>(level), limit);
  });
  if (!rows)
    return 1;
  note_if_cut(rows->size(), limit);
  if (structured(output)) {
    print_structured(*rows, output);
    return 0;
  }
  if (rows->empty())
    return nothing_yet(level != severity::none
                         ? "drift alerts at or above " + min_severity
                         : "drift alerts",
                       output);
  text_table table{
    {"TIME", "MODEL", "FEATURE", "METHOD", "CHANGE", "SEVERITY", "MESSAGE"}};
  for (const auto& a : *rows)
    table.add({when(a["time_ns"]),
               cell(a["model_id"]) + "@" + cell(a["model_version"]),
               a["feature"] == "" ? std::string{"(model)"} : cell(a["feature"]),
               cell(a["method"]), cell(a["change"]), cell(a["severity"]),
               cell(a["message"])});
  table.print(out());
  return 0;
}

int model(const std::string& db, const std::string& model, bool history,
          const std::string& output) {
  auto drift = query_db(db, [&](storage::db_reader& r) {
    return storage::ml_latest_drift(r, model);
  });
  if (!drift)
    return 1;
  std::optional<json> perf;
  if (history) {
    perf = query_db(db, [&](storage::db_reader& r) {
      return storage::ml_performance(r, model, 100);
    });
    if (!perf)
      return 1;
  }
  if (drift->empty() && (!perf || perf->empty())) {
    return fail("no results stored for model '" + model + "' in " + db);
  }
  if (structured(output)) {
    json j{{"model_id", model}, {"features", *drift}};
    if (perf)
      j["performance_history"] = *perf;
    print_structured(j, output);
    return 0;
  }
  out() << "MODEL " << model << ": latest drift check\n";
  text_table table{
    {"FEATURE", "TEST", "P-VALUE", "SCORE", "VALUE", "DRIFT", "SEVERITY"}};
  for (const auto& f : *drift)
    table.add({cell(f["feature"]), cell(f["test"]), cell(f["p_value"]),
               cell(f["score_method"]), cell(f["score"]),
               f["drift"] == 1 ? "yes" : "no", cell(f["severity"])});
  table.print(out());
  if (perf) {
    out() << "\nPERFORMANCE (newest first)\n";
    for (const auto& p : *perf)
      out() << "  " << when(p["time_ns"]) << "  degradation "
            << cell(p["degradation"]) << "  " << cell(p["metrics"]) << "\n";
  }
  return 0;
}

void add_ml_commands(CLI::App& app, command_table& table) {
  struct options {
    drift_test_options dt;
    std::string detector;
    std::string stream;
    std::vector<std::string> params;
    std::string db;
    std::string model;
    std::string min_severity;
    size_t limit = 200;
    bool history = false;
    std::string output = "table";
  };
  auto o = std::make_shared<options>();
  auto dt = app.add_subcommand(
    "drift-test",
    "one drift test on two samples in files (one per line); exits 0 for no "
    "drift, 3 for drift, 2 for bad input");
  dt->add_option("--method", o->dt.method,
                 "ks psi wasserstein js hellinger chi2 ad cvm")
    ->required();
  dt->add_option("--reference", o->dt.reference, "reference sample")
    ->required();
  dt->add_option("--current", o->dt.current, "current sample")->required();
  dt->add_flag("--categorical", o->dt.categorical, "lines are category labels");
  dt->add_option("--alpha", o->dt.alpha, "significance level (0.05)")
    ->check(decimal_number("within (0, 1)", [](double x) {
      return x > 0 && x < 1;
    }));
  auto at_least_zero = decimal_number("at least 0", [](double x) {
    return x >= 0;
  });
  dt->add_option("--threshold", o->dt.threshold, "drift_threshold (0.1)")
    ->check(at_least_zero);
  dt->add_option("--critical", o->dt.critical, "critical_drift_threshold (0.3)")
    ->check(at_least_zero);
  add_output(dt, o->output);
  table.push_back({dt, [o] {
                     return drift_test(o->dt, o->output);
                   }});

  auto det = app.add_subcommand(
    "detect", "a streaming change detector over a file of values");
  det->add_option("--detector", o->detector, "adwin, page-hinkley or ddm")
    ->required();
  det->add_option("--stream", o->stream, "one value per line")->required();
  det->add_option("--param", o->params, "name=value (repeatable)");
  add_output(det, o->output);
  table.push_back({det, [o] {
                     return detect(o->detector, o->stream, o->params,
                                   o->output);
                   }});

  auto ms = app.add_subcommand(
    "models", "the ML monitor's models: latest check, drift, performance");
  add_db(ms, o->db);
  add_output(ms, o->output);
  table.push_back({ms, [o] {
                     return models(o->db, o->output);
                   }});

  auto dr = app.add_subcommand("drift", "drift alerts, newest first");
  add_db(dr, o->db);
  dr->add_option("--model", o->model, "only this model");
  dr->add_option("--severity", o->min_severity,
                 "at least: low, medium, high or critical");
  add_limit(dr, o->limit);
  add_output(dr, o->output);
  table.push_back({dr, [o] {
                     return drift_alerts(o->db, o->model, o->min_severity,
                                         o->limit, o->output);
                   }});

  auto m = app.add_subcommand(
    "model", "one model: its features' latest drift, --history performance");
  m->add_option("model", o->model, "model id")->required();
  add_db(m, o->db);
  m->add_flag("--history", o->history, "performance checks, newest first");
  add_output(m, o->output);
  table.push_back({m, [o] {
                     return model(o->db, o->model, o->history, o->output);
                   }});
}

} // namespace argus::ctl
