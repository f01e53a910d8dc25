#pragma once

// HTTP requests and responses as plain values: what the route handlers, the
// auth check and the tests see. Only `http_server.cpp` knows Boost.Beast.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace argus::gateway {

/// One parsed request.
struct http_request {
  std::string method;
  /// The request target as sent: path and query.
  std::string target;
  /// The target's path, percent-decoded.
  std::string path;
  /// The target's query string, still encoded (without the `?`).
  std::string query;
  /// Header fields in order, names in lower case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// The client's address and port, e.g. `127.0.0.1:53122`.
  std::string peer;
  bool keep_alive = true;

  /// @returns the first value of header `name` (lower case), or empty.
  std::string_view header(std::string_view name) const noexcept {
    for (const auto& [k, v] : headers)
      if (k == name)
        return v;
    return {};
  }
};

/// One response.
struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  /// When set, the body instead of `body`: text shared with others (a
  /// cached view), written without a copy.
  std::shared_ptr<const std::string> shared_body;
  /// Extra header fields (`Allow`, `WWW-Authenticate`, ...).
  std::vector<std::pair<std::string, std::string>> headers;
  /// Closes the connection after this response.
  bool close = false;
};

/// @returns a problem+json response (RFC 9457).
http_response problem(int status, std::string title, std::string detail);

/// @returns a JSON response with `body` as given.
http_response json_response(std::string body, int status = 200);

/// @returns `text` with `%XX` escapes decoded (and `+` as a space when
///          `plus_is_space`, as in query strings); false in `ok` when an
///          escape is malformed.
std::string percent_decode(std::string_view text, bool plus_is_space, bool& ok);

/// A query string split into decoded name/value pairs, in order.
struct query_params {
  std::vector<std::pair<std::string, std::string>> items;
  /// Empty when every pair decoded; otherwise what was wrong.
  std::string error;

  static query_params parse(std::string_view query);

  /// @returns the value of the first `name`, or nullptr.
  const std::string* get(std::string_view name) const noexcept {
    for (const auto& [k, v] : items)
      if (k == name)
        return &v;
    return nullptr;
  }
};

} // namespace argus::gateway
