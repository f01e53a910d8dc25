#include "runtime/gateway/http_types.hpp"

#include "messages/json_text.hpp"

#include <nlohmann/json.hpp>

namespace argus::gateway {

http_response problem(int status, std::string title, std::string detail) {
  http_response res;
  res.status = status;
  res.content_type = "application/problem+json";
  res.body = dump_json({{"type", "about:blank"},
                        {"title", std::move(title)},
                        {"status", status},
                        {"detail", std::move(detail)}});
  return res;
}

http_response json_response(std::string body, int status) {
  http_response res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

std::string percent_decode(std::string_view text, bool plus_is_space,
                           bool& ok) {
  ok = true;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = text[i];
    if (c == '%') {
      int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        ok = false;
        return out;
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

query_params query_params::parse(std::string_view query) {
  query_params result;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{}
                                          : query.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    bool ok_key = true;
    bool ok_value = true;
    auto key = percent_decode(pair.substr(0, eq), true, ok_key);
    auto value = eq == std::string_view::npos
                   ? std::string{}
                   : percent_decode(pair.substr(eq + 1), true, ok_value);
    if (!ok_key || !ok_value) {
      result.error = "malformed percent escape in query parameter '"
                     + std::string{pair.substr(0, eq)} + "'";
      return result;
    }
    result.items.emplace_back(std::move(key), std::move(value));
  }
  return result;
}

} // namespace argus::gateway
