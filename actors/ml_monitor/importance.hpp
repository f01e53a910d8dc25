#pragma once

// Feature importance stability: how a model's importances move
// between two snapshots.
//   spearman      Spearman's rank correlation over the features in both
//                 snapshots (average ranks for ties: the Pearson correlation
//                 of the ranks, as scipy.stats.spearmanr); NaN with fewer
//                 than two common features or no variance.
//   top_k_overlap |top k of a ∩ top k of b| / k.
//   drift         half the L1 distance between the two importance vectors,
//                 each normalised to sum 1 over the union of features (0:
//                 identical, 1: disjoint).
//   entered, left features entering or leaving the top k.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace argus {

using importance_map = std::map<std::string, double>;

struct importance_change {
  double spearman = 0;
  double top_k_overlap = 0;
  double drift = 0;
  std::vector<std::string> entered;
  std::vector<std::string> left;
};

/// Features by importance, highest first (ties by name).
std::vector<std::string> ranking(const importance_map& x);

importance_change compare_importance(const importance_map& before,
                                     const importance_map& after,
                                     size_t k = 10);

} // namespace argus
