#pragma once

// The one route table of the HTTP API: method, path pattern, the least role
// that may call it, and the handler. The router, the 404/405 answers, the
// auth test matrix and the README's route list are all made from it.

#include "runtime/gateway/http_types.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace argus::gateway {

/// Who may call a route: `anyone` needs no token; the others are ordered.
enum class role : uint8_t { anyone, viewer, operator_, admin };

/// @returns "anyone", "viewer", "operator" or "admin".
const char* to_string(role x) noexcept;

/// Parses "viewer", "operator" or "admin".
bool parse_role(std::string_view text, role& out) noexcept;

/// Who is asking: the token's name and role (`anyone` when unauthenticated).
struct principal {
  std::string name;
  role granted = role::anyone;
};

/// What a handler gets: the request, the path's `{parameters}`, the decoded
/// query, the caller and the request's correlation id.
struct request_context {
  const http_request& req;
  std::map<std::string, std::string> params;
  query_params query;
  principal who;
  std::string correlation_id;
};

/// Runs on a worker thread; may wait (with the configured timeout) for a
/// component or read SQLite. Must not throw (the gateway answers 500 if it
/// does).
using route_handler = std::function<http_response(const request_context&)>;

struct route {
  std::string method;
  /// `/api/tracing/correlation/{id}`: a `{name}` matches one segment.
  std::string pattern;
  role min_role = role::viewer;
  std::string summary;
  route_handler handler;
};

class router {
public:
  router() = default;
  explicit router(std::vector<route> routes);

  struct match {
    /// The route, or nullptr.
    const route* found = nullptr;
    std::map<std::string, std::string> params;
    /// Without `found`: the methods the path allows (empty: no such path).
    std::vector<std::string> allowed;
  };

  match find(std::string_view method, std::string_view path) const;

  const std::vector<route>& routes() const noexcept {
    return routes_;
  }

private:
  struct compiled {
    std::vector<std::string> segments;
    std::vector<bool> is_param;
  };
  static bool matches(const compiled& c,
                      const std::vector<std::string_view>& path,
                      std::map<std::string, std::string>* params);

  std::vector<route> routes_;
  std::vector<compiled> compiled_;
};

/// @returns the table as Markdown (method, path, least role, summary), as
///          the README lists it.
std::string routes_markdown(const std::vector<route>& routes);

/// @returns `path` split at '/' (no empty segments but a trailing one,
///          which makes `/a/` differ from `/a`).
std::vector<std::string_view> split_path(std::string_view path);

} // namespace argus::gateway
