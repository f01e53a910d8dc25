#include "runtime/gateway/routes.hpp"

#include <algorithm>

namespace argus::gateway {

const char* to_string(role x) noexcept {
  switch (x) {
    case role::anyone:
      return "anyone";
    case role::viewer:
      return "viewer";
    case role::operator_:
      return "operator";
    case role::admin:
      return "admin";
  }
  return "?";
}

bool parse_role(std::string_view text, role& out) noexcept {
  if (text == "viewer")
    out = role::viewer;
  else if (text == "operator")
    out = role::operator_;
  else if (text == "admin")
    out = role::admin;
  else
    return false;
  return true;
}

std::string routes_markdown(const std::vector<route>& routes) {
  std::string out
    = "| method | path | least role | what |\n|---|---|---|---|\n";
  for (const auto& r : routes)
    out += "| " + r.method + " | `" + r.pattern + "` | " + to_string(r.min_role)
           + " | " + r.summary + " |\n";
  return out;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    auto seg = path.substr(0, slash);
    if (slash == std::string_view::npos) {
      if (!seg.empty() || !out.empty())
        out.push_back(seg);
      break;
    }
    out.push_back(seg);
    path.remove_prefix(slash + 1);
  }
  return out;
}

router::router(std::vector<route> routes) : routes_(std::move(routes)) {
  compiled_.reserve(routes_.size());
  for (const auto& r : routes_) {
    compiled c;
    for (auto seg : split_path(r.pattern)) {
      bool param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
      c.segments.emplace_back(param ? seg.substr(1, seg.size() - 2) : seg);
      c.is_param.push_back(param);
    }
    compiled_.push_back(std::move(c));
  }
}

bool router::matches(const compiled& c,
                     const std::vector<std::string_view>& path,
                     std::map<std::string, std::string>* params) {
  if (c.segments.size() != path.size())
    return false;
  for (size_t i = 0; i < path.size(); ++i) {
    if (c.is_param[i]) {
      if (path[i].empty())
        return false;
    } else if (c.segments[i] != path[i]) {
      return false;
    }
  }
  if (params)
    for (size_t i = 0; i < path.size(); ++i)
      if (c.is_param[i])
        (*params)[c.segments[i]] = std::string{path[i]};
  return true;
}

router::match router::find(std::string_view method,
                           std::string_view path) const {
  match result;
  auto segs = split_path(path);
  // A literal segment beats a parameter: try the routes with fewer
  // parameters first by taking the first exact match, else the first match.
  const route* best = nullptr;
  const compiled* best_c = nullptr;
  size_t best_params = SIZE_MAX;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (!matches(compiled_[i], segs, nullptr))
      continue;
    if (routes_[i].method != method) {
      if (std::find(result.allowed.begin(), result.allowed.end(),
                    routes_[i].method)
          == result.allowed.end())
        result.allowed.push_back(routes_[i].method);
      continue;
    }
    auto n = static_cast<size_t>(std::count(compiled_[i].is_param.begin(),
                                            compiled_[i].is_param.end(), true));
    if (n < best_params) {
      best = &routes_[i];
      best_c = &compiled_[i];
      best_params = n;
    }
  }
  if (best) {
    result.found = best;
    result.allowed.clear();
    matches(*best_c, segs, &result.params);
  }
  return result;
}

} // namespace argus::gateway
