#include "runtime/gateway/websocket/handshake.hpp"

#include "messages/header_text.hpp"
#include "messages/numbers.hpp"

#include <cctype>
#include <set>
#include <vector>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace argus::gateway::websocket {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] == '"')
      quoted = !quoted;
    if (i == s.size() || (s[i] == sep && !quoted)) {
      parts.push_back(trim_ows(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return parts;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i]))
        != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

/// A window size parameter's value: 8 to 15, possibly quoted.
std::optional<int> window_bits(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
    v = v.substr(1, v.size() - 2);
  auto n = parse_digits(v, 2);
  if (!n || *n < 8 || *n > 15)
    return std::nullopt;
  return static_cast<int>(*n);
}

std::optional<deflate_agreement> accept_offer(std::string_view offer) {
  auto params = split(offer, ';');
  if (params.empty() || !iequals(params[0], "permessage-deflate"))
    return std::nullopt;
  deflate_agreement a;
  a.response = "permessage-deflate; server_no_context_takeover";
  std::set<std::string> seen;
  for (size_t i = 1; i < params.size(); ++i) {
    auto eq = params[i].find('=');
    auto name = trim_ows(params[i].substr(0, eq));
    std::optional<std::string_view> value;
    if (eq != std::string_view::npos)
      value = trim_ows(params[i].substr(eq + 1));
    std::string lower;
    for (char c : name)
      lower.push_back(
        static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (!seen.insert(lower).second)
      return std::nullopt;
    if (lower == "server_no_context_takeover") {
      if (value)
        return std::nullopt;
    } else if (lower == "client_no_context_takeover") {
      if (value)
        return std::nullopt;
      a.client_no_context_takeover = true;
      a.response += "; client_no_context_takeover";
    } else if (lower == "server_max_window_bits") {
      // Every client gets the same compressed bytes, made with 15 bits.
      auto bits = value ? window_bits(*value) : std::nullopt;
      if (!bits || *bits != 15)
        return std::nullopt;
      a.response += "; server_max_window_bits=15";
    } else if (lower == "client_max_window_bits") {
      // The inflater takes any window up to 15 bits: nothing to ask for.
      if (value && !window_bits(*value))
        return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  return a;
}

} // namespace

bool valid_key(std::string_view key) noexcept {
  // 16 bytes are 22 base64 characters and "==".
  if (key.size() != 24 || key[22] != '=' || key[23] != '=')
    return false;
  for (size_t i = 0; i < 22; ++i) {
    auto c = key[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/')
      return false;
  }
  return true;
}

std::string accept_key(std::string_view key) {
  static constexpr std::string_view guid
    = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input{key};
  input.append(guid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(),
       digest);
  unsigned char out[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  auto n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string{reinterpret_cast<const char*>(out),
                     static_cast<size_t>(n)};
}

std::optional<deflate_agreement> negotiate_deflate(std::string_view offers) {
  for (auto offer : split(offers, ','))
    if (auto a = accept_offer(offer))
      return a;
  return std::nullopt;
}

} // namespace argus::gateway::websocket
