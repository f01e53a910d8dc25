#include "actors/tracer/compare.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace argus {

namespace {

using key = std::tuple<std::string, std::string, size_t>;

/// Each span's duration under (component, operation, occurrence).
std::map<key, int64_t> keyed(const std::vector<span_recorded>& spans,
                             int64_t& total) {
  std::vector<const span_recorded*> sorted;
  for (const auto& s : spans)
    sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(), [](const auto* x, const auto* y) {
    return std::tie(x->start_ns, x->span_id)
           < std::tie(y->start_ns, y->span_id);
  });
  std::map<std::pair<std::string, std::string>, size_t> seen;
  std::map<key, int64_t> out;
  int64_t first = sorted.empty() ? 0 : sorted.front()->start_ns;
  int64_t last = first;
  for (const auto* s : sorted) {
    std::string component = to_string(s->component);
    auto n = seen[{component, s->operation}]++;
    out[{component, s->operation, n}] = s->end_ns - s->start_ns;
    last = std::max(last, s->end_ns);
  }
  total = sorted.empty() ? 0 : last - first;
  return out;
}

} // namespace

trace_comparison compare_traces(const std::vector<span_recorded>& a,
                                const std::vector<span_recorded>& b) {
  trace_comparison result;
  auto ka = keyed(a, result.a_total_ns);
  auto kb = keyed(b, result.b_total_ns);
  auto pair_of = [](const key& k) {
    span_pair p;
    std::tie(p.component, p.operation, p.occurrence) = k;
    return p;
  };
  for (const auto& [k, d] : ka) {
    auto p = pair_of(k);
    p.a_ns = d;
    auto i = kb.find(k);
    if (i == kb.end()) {
      result.only_in_a.push_back(std::move(p));
      continue;
    }
    p.b_ns = i->second;
    result.both.push_back(std::move(p));
  }
  for (const auto& [k, d] : kb)
    if (!ka.count(k)) {
      auto p = pair_of(k);
      p.b_ns = d;
      result.only_in_b.push_back(std::move(p));
    }
  std::stable_sort(result.both.begin(), result.both.end(),
                   [](const span_pair& x, const span_pair& y) {
                     auto dx = x.b_ns - x.a_ns;
                     auto dy = y.b_ns - y.a_ns;
                     return (dx < 0 ? -dx : dx) > (dy < 0 ? -dy : dy);
                   });
  return result;
}

} // namespace argus
