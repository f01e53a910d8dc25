#pragma once

// Request bodies in JSON: the media type check and the parse, with the
// answers a client can act on (415 naming what to send, 400 naming the
// byte).

#include "runtime/gateway/http_types.hpp"

#include <optional>

#include <nlohmann/json.hpp>

namespace argus::gateway {

/// @returns whether the request says its body is `application/json`.
bool is_json(const http_request& req);

/// @returns a 415 unless the body is JSON without a content encoding;
///          `hint` is appended to its detail.
std::optional<http_response> refuse_media(const http_request& req,
                                          const char* hint);

/// Parses the body. @returns the document, or nothing with a 400 naming the
///          byte in `error`.
std::optional<nlohmann::json> parse_json_body(const http_request& req,
                                              http_response& error);

} // namespace argus::gateway
