#include "actors/ml_monitor/importance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

namespace argus {

namespace {

/// Average ranks (1-based) of `xs`.
std::vector<double> average_ranks(const std::vector<double>& xs) {
  std::vector<size_t> order(xs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return xs[a] < xs[b];
  });
  std::vector<double> r(xs.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && xs[order[j + 1]] == xs[order[i]])
      ++j;
    double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (size_t k = i; k <= j; ++k)
      r[order[k]] = rank;
    i = j + 1;
  }
  return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  auto n = static_cast<double>(a.size());
  double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (saa == 0 || sbb == 0)
    return std::numeric_limits<double>::quiet_NaN();
  return sab / std::sqrt(saa * sbb);
}

std::vector<std::string> top(const importance_map& x, size_t k) {
  auto r = ranking(x);
  if (r.size() > k)
    r.resize(k);
  return r;
}

} // namespace

std::vector<std::string> ranking(const importance_map& x) {
  std::vector<std::string> names;
  for (const auto& [k, v] : x)
    names.push_back(k);
  std::stable_sort(names.begin(), names.end(),
                   [&](const std::string& a, const std::string& b) {
                     return x.at(a) > x.at(b);
                   });
  return names;
}

importance_change compare_importance(const importance_map& before,
                                     const importance_map& after, size_t k) {
  importance_change c;
  std::vector<double> a, b;
  for (const auto& [name, v] : before)
    if (auto i = after.find(name); i != after.end()) {
      a.push_back(v);
      b.push_back(i->second);
    }
  c.spearman = a.size() >= 2 ? pearson(average_ranks(a), average_ranks(b))
                             : std::numeric_limits<double>::quiet_NaN();
  k = std::max<size_t>(k, 1);
  auto ta = top(before, k);
  auto tb = top(after, k);
  std::set<std::string> sa(ta.begin(), ta.end());
  std::set<std::string> sb(tb.begin(), tb.end());
  size_t common = 0;
  for (const auto& n : sb) {
    if (sa.count(n))
      ++common;
    else
      c.entered.push_back(n);
  }
  for (const auto& n : sa)
    if (!sb.count(n))
      c.left.push_back(n);
  c.top_k_overlap = static_cast<double>(common) / static_cast<double>(k);
  auto total = [](const importance_map& x) {
    double s = 0;
    for (const auto& [n, v] : x)
      s += std::abs(v);
    return s;
  };
  double ta_sum = total(before);
  double tb_sum = total(after);
  std::set<std::string> names;
  for (const auto& [n, v] : before)
    names.insert(n);
  for (const auto& [n, v] : after)
    names.insert(n);
  double l1 = 0;
  for (const auto& n : names) {
    double pa
      = before.count(n) && ta_sum > 0 ? std::abs(before.at(n)) / ta_sum : 0;
    double pb
      = after.count(n) && tb_sum > 0 ? std::abs(after.at(n)) / tb_sum : 0;
    l1 += std::abs(pa - pb);
  }
  c.drift = l1 / 2;
  return c;
}

} // namespace argus
