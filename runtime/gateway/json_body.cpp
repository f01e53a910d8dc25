#include "runtime/gateway/json_body.hpp"

namespace argus::gateway {

using nlohmann::json;

bool is_json(const http_request& req) {
  auto type = req.header("content-type");
  auto semi = type.find(';');
  auto bare = type.substr(0, semi);
  while (!bare.empty() && bare.back() == ' ')
    bare.remove_suffix(1);
  return bare == "application/json";
}

std::optional<http_response> refuse_media(const http_request& req,
                                          const char* hint) {
  auto encoding = req.header("content-encoding");
  if (!encoding.empty() && encoding != "identity")
    return problem(415, "Unsupported Media Type",
                   "Content-Encoding " + std::string{encoding}
                     + " is not supported; send the body uncompressed" + hint);
  if (!is_json(req))
    return problem(415, "Unsupported Media Type",
                   "the body must be application/json" + std::string{hint});
  return std::nullopt;
}

std::optional<json> parse_json_body(const http_request& req,
                                    http_response& error) {
  try {
    return json::parse(req.body);
  } catch (const json::parse_error& e) {
    error = problem(400, "Bad Request",
                    "malformed JSON at byte " + std::to_string(e.byte) + ": "
                      + e.what());
    return std::nullopt;
  }
}

} // namespace argus::gateway
