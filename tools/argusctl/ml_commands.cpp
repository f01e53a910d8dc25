#include "tools/argusctl/ml_commands.hpp"

#include "actors/ml_monitor_detectors.hpp"
#include "actors/ml_monitor_drift.hpp"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>

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

} // namespace argus::ctl
