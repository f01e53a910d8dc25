#include "actors/common/trace_tree.hpp"

#include "messages/trace_context.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <string_view>
#include <unordered_map>

namespace argus {

namespace {

/// Length of the union of `intervals` clipped to [lo, hi].
int64_t covered(std::vector<std::pair<int64_t, int64_t>> intervals, int64_t lo,
                int64_t hi) {
  for (auto& [s, e] : intervals) {
    s = std::max(s, lo);
    e = std::min(e, hi);
  }
  std::sort(intervals.begin(), intervals.end());
  int64_t total = 0;
  int64_t cur_s = 0;
  int64_t cur_e = std::numeric_limits<int64_t>::min();
  for (const auto& [s, e] : intervals) {
    if (e <= s)
      continue;
    if (s > cur_e) {
      if (cur_e > cur_s)
        total += cur_e - cur_s;
      cur_s = s;
      cur_e = e;
    } else {
      cur_e = std::max(cur_e, e);
    }
  }
  if (cur_e > cur_s)
    total += cur_e - cur_s;
  return total;
}

} // namespace

uint64_t span_key(const span_id& id) {
  uint64_t result = 0;
  std::memcpy(&result, id.bytes.data(), sizeof result);
  return result;
}

uint64_t span_key(std::string_view hex) {
  if (hex.empty())
    return 0;
  if (auto id = span_id::from_hex(hex))
    return span_key(*id);
  return std::hash<std::string_view>{}(hex) | 1;
}

trace_tree build_trace_tree(const std::vector<span_recorded>& spans) {
  std::vector<span_extent> extents;
  extents.reserve(spans.size());
  for (const auto& s : spans)
    extents.push_back(
      {span_key(s.span_id), span_key(s.parent_span_id), s.start_ns, s.end_ns});
  return build_trace_tree(extents);
}

trace_tree build_trace_tree(const std::vector<span_extent>& spans) {
  trace_tree tree;
  if (spans.empty())
    return tree;
  auto n = spans.size();
  // Parent of each span, by span id; a span whose parent is missing (or is
  // itself) is a root.
  std::unordered_map<uint64_t, size_t> by_id;
  for (size_t i = 0; i < n; ++i)
    by_id.emplace(spans[i].id, i);
  std::vector<std::optional<size_t>> parent_of(n);
  std::vector<std::vector<size_t>> kids(n);
  for (size_t i = 0; i < n; ++i) {
    auto p = spans[i].parent;
    if (p == 0)
      continue;
    auto it = by_id.find(p);
    if (it != by_id.end() && it->second != i)
      parent_of[i] = it->second;
  }
  auto by_start = [&](size_t a, size_t b) {
    return spans[a].start_ns < spans[b].start_ns
           || (spans[a].start_ns == spans[b].start_ns && a < b);
  };
  std::vector<size_t> roots;
  for (size_t i = 0; i < n; ++i) {
    if (parent_of[i])
      kids[*parent_of[i]].push_back(i);
    else
      roots.push_back(i);
  }
  for (auto& k : kids)
    std::sort(k.begin(), k.end(), by_start);
  std::sort(roots.begin(), roots.end(), by_start);
  tree.start_ns = spans[0].start_ns;
  tree.end_ns = spans[0].end_ns;
  for (const auto& s : spans) {
    tree.start_ns = std::min(tree.start_ns, s.start_ns);
    tree.end_ns = std::max(tree.end_ns, s.end_ns);
  }
  // Depth-first placement with an explicit stack (no recursion, so a deep or
  // hostile trace cannot overflow the stack). Spans on a parent cycle are
  // never reached from a root; they are added as roots afterwards.
  std::vector<std::optional<size_t>> node_of(n);
  auto place = [&](size_t root) {
    std::vector<std::pair<size_t, std::optional<size_t>>> stack{{root, {}}};
    while (!stack.empty()) {
      auto [span, parent_node] = stack.back();
      stack.pop_back();
      if (node_of[span])
        continue;
      auto idx = tree.nodes.size();
      node_of[span] = idx;
      span_node node;
      node.span = span;
      node.parent = parent_node;
      node.depth = parent_node ? tree.nodes[*parent_node].depth + 1 : 0;
      node.start_offset_ns = spans[span].start_ns - tree.start_ns;
      node.duration_ns
        = std::max<int64_t>(0, spans[span].end_ns - spans[span].start_ns);
      tree.nodes.push_back(node);
      if (parent_node)
        tree.nodes[*parent_node].children.push_back(idx);
      else
        tree.roots.push_back(idx);
      for (auto k = kids[span].rbegin(); k != kids[span].rend(); ++k)
        stack.emplace_back(*k, idx);
    }
  };
  for (auto r : roots)
    place(r);
  for (size_t i = 0; i < n; ++i)
    if (!node_of[i])
      place(i);
  // Self time: what the children do not cover.
  for (auto& node : tree.nodes) {
    const auto& s = spans[node.span];
    std::vector<std::pair<int64_t, int64_t>> intervals;
    for (auto c : node.children)
      intervals.emplace_back(spans[tree.nodes[c].span].start_ns,
                             spans[tree.nodes[c].span].end_ns);
    node.self_ns = node.duration_ns - covered(intervals, s.start_ns, s.end_ns);
  }
  // Critical path (as Jaeger computes it): from the root that ends last, walk
  // back from each span's end, repeatedly taking the child that finished
  // last before the cursor, then moving the cursor to that child's start.
  if (!tree.roots.empty()) {
    auto end_of = [&](size_t node) {
      return spans[tree.nodes[node].span].end_ns;
    };
    auto start_of = [&](size_t node) {
      return spans[tree.nodes[node].span].start_ns;
    };
    auto last_root = *std::max_element(tree.roots.begin(), tree.roots.end(),
                                       [&](size_t a, size_t b) {
                                         return end_of(a) < end_of(b);
                                       });
    std::vector<size_t> frontier{last_root};
    while (!frontier.empty()) {
      auto node = frontier.back();
      frontier.pop_back();
      tree.nodes[node].critical = true;
      tree.critical_path.push_back(node);
      auto children = tree.nodes[node].children;
      auto clipped_end = [&](size_t c) {
        return std::min(end_of(c), end_of(node));
      };
      std::sort(children.begin(), children.end(), [&](size_t a, size_t b) {
        return clipped_end(a) > clipped_end(b);
      });
      auto cursor = end_of(node);
      auto own = end_of(node) - start_of(node);
      for (auto c : children) {
        if (clipped_end(c) > cursor || start_of(c) >= end_of(node))
          continue;
        frontier.push_back(c);
        own -= clipped_end(c) - std::max(start_of(c), start_of(node));
        cursor = start_of(c);
      }
      tree.nodes[node].critical_ns = std::max<int64_t>(own, 0);
    }
    std::sort(tree.critical_path.begin(), tree.critical_path.end(),
              [&](size_t a, size_t b) {
                return std::make_pair(start_of(a), tree.nodes[a].depth)
                       < std::make_pair(start_of(b), tree.nodes[b].depth);
              });
  }
  return tree;
}

} // namespace argus
