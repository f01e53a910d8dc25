#pragma once

// The exact nearest-rank quantile, what the log-linear histograms
// approximate (the smallest value with at least ceil(q * n) values <= it).

#include <algorithm>
#include <cmath>
#include <vector>

namespace argus::test {

inline double exact_quantile(std::vector<double> xs, double q) {
  std::sort(xs.begin(), xs.end());
  auto rank
    = static_cast<size_t>(std::ceil(q * static_cast<double>(xs.size())));
  rank = std::clamp<size_t>(rank, 1, xs.size());
  return xs[rank - 1];
}

} // namespace argus::test
