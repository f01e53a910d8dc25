#pragma once

// argusctl's offline ML commands, for data people have in files (one value
// or category label per line):
//
//   argusctl drift-test --method ks|psi|wasserstein|js|hellinger|chi2|ad|cvm
//                       --reference FILE --current FILE [--categorical]
//                       [--alpha 0.05] [--threshold 0.1] [--critical 0.3]
//                       [-o table|json]
//   argusctl detect --detector adwin|page-hinkley|ddm --stream FILE
//                   [--param k=v ...] [-o table|json]
// and, from what argusd's ML monitor stored:
//   argusctl models --db FILE [-o table|json]
//   argusctl drift --db FILE [--model M] [--severity low|...|critical]
//   argusctl model M --db FILE [--history] [-o table|json]

#include <string>
#include <vector>

namespace argus::ctl {

struct drift_test_options {
  std::string method;
  std::string reference;
  std::string current;
  bool categorical = false;
  double alpha = 0.05;
  double threshold = 0.1;
  double critical = 0.3;
};

int drift_test(const drift_test_options& opts, const std::string& output);

int detect(const std::string& detector, const std::string& stream,
           const std::vector<std::string>& params, const std::string& output);

int models(const std::string& db, const std::string& output);

int drift_alerts(const std::string& db, const std::string& model,
                 const std::string& min_severity, size_t limit,
                 const std::string& output);

int model(const std::string& db, const std::string& model, bool history,
          const std::string& output);

} // namespace argus::ctl
