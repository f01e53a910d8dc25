#include "tools/argusctl/ml_commands.hpp"

#include "actors/ml_monitor_detectors.hpp"
#include "actors/ml_monitor_drift.hpp"
#include "messages/error.hpp"
#include "storage/reader.hpp"
#include "storage/schema.hpp"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace argus::ctl {

namespace {

using nlohmann::json;

/// The non-blank lines of `path`, or nothing (the reason printed).
std::optional<std::vector<std::string>> read_lines(const std::string& path) {
  std::ifstream in{path};
  if (!in) {
    std::cerr << "argusctl: cannot read " << path << "\n";
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
    std::cerr << "argusctl: cannot read " << path << "\n";
    return std::nullopt;
  }
  std::vector<double> xs;
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    size_t used = 0;
    double x = 0;
    try {
      x = std::stod(line, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || line.find_first_not_of(" \t\r", used) != std::string::npos
        || !std::isfinite(x)) {
      std::cerr << "argusctl: " << path << ":" << n << ": not a number: '"
                << line << "'\n";
      return std::nullopt;
    }
    xs.push_back(x);
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
    std::cerr << "argusctl: " << e.what() << "\n";
    return 2;
  }
  if (output == "json") {
    std::cout << json{{"method", r.method},
                      {"statistic", number_or_null(r.statistic)},
                      {"pvalue", number_or_null(r.pvalue)},
                      {"score", number_or_null(r.score)},
                      {"drift", r.drift},
                      {"severity", to_string(r.level)},
                      {"reference_size", nr},
                      {"current_size", nc},
                      {"new_categories", r.new_categories}}
                   .dump(2)
              << "\n";
    return 0;
  }
  std::cout << std::setprecision(10) << "METHOD     " << r.method << "\n"
            << "STATISTIC  " << r.statistic << "\n"
            << "P-VALUE    "
            << (std::isfinite(r.pvalue) ? std::to_string(r.pvalue) : "-")
            << "\n"
            << "SCORE      " << r.score << "\n"
            << "DRIFT      " << (r.drift ? "yes" : "no") << " (severity "
            << to_string(r.level) << ")\n"
            << "SAMPLES    " << nr << " reference, " << nc << " current\n";
  if (!r.new_categories.empty()) {
    std::cout << "NEW        ";
    for (const auto& c : r.new_categories)
      std::cout << c << " ";
    std::cout << "\n";
  }
  return 0;
}

int detect(const std::string& detector, const std::string& stream,
           const std::vector<std::string>& params, const std::string& output) {
  std::map<std::string, double> p;
  for (const auto& kv : params) {
    auto eq = kv.find('=');
    double v = 0;
    bool ok = eq != std::string::npos && eq > 0;
    if (ok) {
      try {
        size_t used = 0;
        v = std::stod(kv.substr(eq + 1), &used);
        ok = used == kv.size() - eq - 1;
      } catch (const std::exception&) {
        ok = false;
      }
    }
    if (!ok) {
      std::cerr << "argusctl: --param wants name=number, got '" << kv << "'\n";
      return 2;
    }
    p[kv.substr(0, eq)] = v;
  }
  // Takes the known parameters of a detector; any other name is an error.
  auto take = [&](std::map<std::string, double*> known) {
    for (const auto& [k, v] : p) {
      auto i = known.find(k);
      if (i == known.end()) {
        std::string names;
        for (const auto& [name, _] : known)
          names += " " + name;
        std::cerr << "argusctl: " << detector << " has no parameter '" << k
                  << "' (it has:" << names << ")\n";
        return false;
      }
      *i->second = v;
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
    double clock = a.clock, buckets = a.max_buckets, min_window = a.min_window,
           grace = a.grace;
    if (!take({{"delta", &a.delta},
               {"clock", &clock},
               {"max_buckets", &buckets},
               {"min_window", &min_window},
               {"grace", &grace}}))
      return 2;
    a.clock = static_cast<int>(clock);
    a.max_buckets = static_cast<int>(buckets);
    a.min_window = static_cast<int>(min_window);
    a.grace = static_cast<int>(grace);
    adwin d{a};
    run(d);
  } else if (detector == "page-hinkley") {
    page_hinkley_params a;
    double min_instances = a.min_instances;
    if (!take({{"min_instances", &min_instances},
               {"delta", &a.delta},
               {"lambda", &a.lambda},
               {"alpha", &a.alpha}}))
      return 2;
    a.min_instances = static_cast<int>(min_instances);
    page_hinkley d{a};
    run(d);
  } else if (detector == "ddm") {
    ddm_params a;
    double warm = a.warm_start;
    if (!take({{"warm_start", &warm},
               {"warning", &a.warning},
               {"drift", &a.drift}}))
      return 2;
    a.warm_start = static_cast<int>(warm);
    ddm d{a};
    run(d);
  } else {
    std::cerr << "argusctl: unknown detector '" << detector
              << "' (adwin, page-hinkley, ddm)\n";
    return 2;
  }
  if (output == "json") {
    std::cout << json{{"detector", detector},
                      {"values", xs->size()},
                      {"warnings", warnings},
                      {"drifts", drifts}}
                   .dump(2)
              << "\n";
    return 0;
  }
  std::cout << "DETECTOR  " << detector << " (" << xs->size() << " values)\n"
            << "DRIFTS   ";
  for (auto i : drifts)
    std::cout << " " << i;
  std::cout << "\nWARNINGS  " << warnings.size() << "\n";
  return 0;
}

namespace {

/// Runs `query` on the database; prints the reason and returns nothing on
/// failure.
template <class F>
std::optional<json> query_db(const std::string& db, F query) {
  auto reader = storage::db_reader::open(db);
  if (!reader) {
    std::cerr << "argusctl: " << describe(reader.error()) << "\n";
    return std::nullopt;
  }
  auto result = query(**reader);
  if (!result) {
    std::cerr << "argusctl: " << describe(result.error()) << "\n";
    return std::nullopt;
  }
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
  return j.is_string() ? j.get<std::string>() : j.dump();
}

std::string when(const json& ns) {
  return ns.is_number() ? storage::sql_datetime(ns.get<int64_t>()) + "Z" : "-";
}

} // namespace

int models(const std::string& db, const std::string& output) {
  auto rows = query_db(db, [](storage::db_reader& r) {
    return r.ml_models();
  });
  if (!rows)
    return 1;
  if (output == "json") {
    std::cout << rows->dump(2) << "\n";
    return 0;
  }
  std::cout << std::left << std::setw(20) << "MODEL" << std::setw(10)
            << "VERSION" << std::setw(30) << "LAST CHECK" << std::setw(10)
            << "DRIFTED" << std::setw(12) << "DEGRADED" << std::setw(10)
            << "RETRAINS"
            << "PERFORMANCE\n";
  for (const auto& m : *rows)
    std::cout << std::left << std::setw(20) << cell(m["model_id"])
              << std::setw(10) << cell(m["model_version"]) << std::setw(30)
              << when(m["last_check_ns"]) << std::setw(10)
              << cell(m["drifted_features"]) << std::setw(12)
              << cell(m["degradation"]) << std::setw(10)
              << cell(m["retrain_requests"]) << cell(m["performance"]) << "\n";
  return 0;
}

int drift_alerts(const std::string& db, const std::string& model,
                 const std::string& min_severity, const std::string& output) {
  severity level = severity::low;
  if (!min_severity.empty() && !parse_severity(min_severity, level)) {
    std::cerr << "argusctl: --severity wants low, medium, high or critical\n";
    return 2;
  }
  auto rows = query_db(db, [&](storage::db_reader& r) {
    return r.ml_alerts(model, static_cast<int>(level), 200);
  });
  if (!rows)
    return 1;
  if (output == "json") {
    std::cout << rows->dump(2) << "\n";
    return 0;
  }
  std::cout << std::left << std::setw(30) << "TIME" << std::setw(18) << "MODEL"
            << std::setw(14) << "FEATURE" << std::setw(16) << "METHOD"
            << std::setw(11) << "CHANGE" << std::setw(10) << "SEVERITY"
            << "MESSAGE\n";
  for (const auto& a : *rows)
    std::cout << std::left << std::setw(30) << when(a["time_ns"])
              << std::setw(18)
              << (cell(a["model_id"]) + "@" + cell(a["model_version"]))
              << std::setw(14)
              << (a["feature"] == "" ? std::string{"(model)"}
                                     : cell(a["feature"]))
              << std::setw(16) << cell(a["method"]) << std::setw(11)
              << cell(a["change"]) << std::setw(10) << cell(a["severity"])
              << cell(a["message"]) << "\n";
  return 0;
}

int model(const std::string& db, const std::string& model, bool history,
          const std::string& output) {
  auto drift = query_db(db, [&](storage::db_reader& r) {
    return r.ml_latest_drift(model);
  });
  if (!drift)
    return 1;
  std::optional<json> perf;
  if (history) {
    perf = query_db(db, [&](storage::db_reader& r) {
      return r.ml_performance(model, 100);
    });
    if (!perf)
      return 1;
  }
  if (drift->empty() && (!perf || perf->empty())) {
    std::cerr << "argusctl: no results stored for model '" << model << "' in "
              << db << "\n";
    return 1;
  }
  if (output == "json") {
    json j{{"model_id", model}, {"features", *drift}};
    if (perf)
      j["performance_history"] = *perf;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "MODEL " << model << ": latest drift check\n"
            << std::left << std::setw(16) << "FEATURE" << std::setw(7) << "TEST"
            << std::setw(12) << "P-VALUE" << std::setw(8) << "SCORE"
            << std::setw(12) << "VALUE" << std::setw(7) << "DRIFT"
            << "SEVERITY\n";
  for (const auto& f : *drift)
    std::cout << std::left << std::setw(16) << cell(f["feature"])
              << std::setw(7) << cell(f["test"]) << std::setw(12)
              << cell(f["p_value"]) << std::setw(8) << cell(f["score_method"])
              << std::setw(12) << cell(f["score"]) << std::setw(7)
              << (f["drift"] == 1 ? "yes" : "no") << cell(f["severity"])
              << "\n";
  if (perf) {
    std::cout << "\nPERFORMANCE (newest first)\n";
    for (const auto& p : *perf)
      std::cout << "  " << when(p["time_ns"]) << "  degradation "
                << cell(p["degradation"]) << "  " << cell(p["metrics"]) << "\n";
  }
  return 0;
}

} // namespace argus::ctl
