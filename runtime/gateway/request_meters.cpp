#include "runtime/gateway/request_meters.hpp"

namespace argus::gateway {

namespace {

constexpr const char* requests_total = "argus_http_requests_total";
constexpr const char* request_duration = "argus_http_request_duration_seconds";
constexpr const char* no_route = "(no route)";

/// The methods a request without a route is counted under; anything else
/// is `other`, so a client inventing methods cannot invent series.
constexpr const char* known_methods[]
  = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};

metric_labels labels(const std::string& route, const std::string& method,
                     int code) {
  return {{"route", route}, {"method", method}, {"code", std::to_string(code)}};
}

std::string key_of(std::string_view method, std::string_view route) {
  std::string key;
  key.reserve(method.size() + 1 + route.size());
  key.append(method).append(" ").append(route);
  return key;
}

} // namespace

request_meters::request_meters(runtime::client c,
                               const std::vector<route>& routes)
    : client_(std::move(c)) {
  for (const auto& r : routes)
    add(r.pattern, r.method);
  for (auto m : known_methods)
    add(no_route, m);
  add(no_route, "other");
}

void request_meters::add(const std::string& route, const std::string& method) {
  auto& m = meters_[key_of(method, route)];
  if (m)
    return;
  m = std::make_unique<meter>();
  m->route = route;
  m->method = method;
  // One histogram per route, shared by its methods.
  for (const auto& [_, other] : meters_)
    if (other && other.get() != m.get() && other->route == route) {
      m->duration = other->duration;
      return;
    }
  m->duration = client_.histogram(request_duration, {{"route", route}});
}

request_meters::meter* request_meters::find(const request_record& r) const {
  auto i = meters_.find(key_of(r.method, r.route));
  if (i != meters_.end())
    return i->second.get();
  if (r.route != no_route)
    return nullptr;
  i = meters_.find(key_of("other", no_route));
  return i == meters_.end() ? nullptr : i->second.get();
}

void request_meters::record(const request_record& r) noexcept {
  try {
    auto seconds = static_cast<double>(r.duration_ns) / 1e9;
    auto* m = find(r);
    if (!m) {
      // A route the meters were not made with: by name.
      client_.record(requests_total, 1, labels(r.route, r.method, r.status),
                     metric_kind::counter);
      client_.record(request_duration, seconds, {{"route", r.route}},
                     metric_kind::histogram);
      return;
    }
    m->duration.observe(seconds);
    auto* counter = m->requests.get(r.status, [&](int code) {
      return client_.counter(requests_total, labels(m->route, m->method, code));
    });
    if (counter)
      counter->inc();
    else
      client_.record(requests_total, 1, labels(m->route, m->method, r.status),
                     metric_kind::counter);
  } catch (...) {
    // Out of memory making a label: the request goes uncounted, never
    // unanswered.
  }
}

} // namespace argus::gateway
