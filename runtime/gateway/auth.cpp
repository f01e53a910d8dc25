#include "runtime/gateway/auth.hpp"

#include <algorithm>

#include <openssl/crypto.h>

namespace argus::gateway {

void token_store::add(std::string name, role granted, std::string_view token) {
  entries_.push_back({std::move(name), granted, sha256(token)});
}

std::optional<principal> token_store::find(std::string_view token) const {
  auto h = sha256(token);
  std::optional<principal> result;
  for (const auto& e : entries_)
    if (CRYPTO_memcmp(e.hash.data(), h.data(), h.size()) == 0 && !result)
      result = principal{e.name, e.granted};
  return result;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size())
    return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    auto c = authorization[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i])
      return std::nullopt;
  }
  auto token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ')
    token.remove_suffix(1);
  if (token.empty())
    return std::nullopt;
  return token;
}

std::chrono::milliseconds
failure_throttle::blocked_for(const std::string& address,
                              clock::time_point now) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = records_.find(address);
  if (i == records_.end())
    return std::chrono::milliseconds{0};
  auto until = i->second.first + window_;
  if (now >= until) {
    records_.erase(i);
    return std::chrono::milliseconds{0};
  }
  if (i->second.failures < limit_)
    return std::chrono::milliseconds{0};
  return std::chrono::duration_cast<std::chrono::milliseconds>(until - now)
         + std::chrono::milliseconds{1};
}

void failure_throttle::failed(const std::string& address,
                              clock::time_point now) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = records_.find(address);
  if (i != records_.end() && now >= i->second.first + window_) {
    records_.erase(i);
    i = records_.end();
  }
  if (i == records_.end()) {
    if (records_.size() >= max_addresses_) {
      auto oldest = std::min_element(records_.begin(), records_.end(),
                                     [](const auto& a, const auto& b) {
                                       return a.second.first < b.second.first;
                                     });
      records_.erase(oldest);
    }
    i = records_.emplace(address, record{now, 0}).first;
  }
  ++i->second.failures;
}

void failure_throttle::succeeded(const std::string& address) {
  std::lock_guard<std::mutex> guard{mtx_};
  records_.erase(address);
}

size_t failure_throttle::size() {
  std::lock_guard<std::mutex> guard{mtx_};
  return records_.size();
}

std::string peer_address(std::string_view peer) {
  if (!peer.empty() && peer.front() == '[') {
    auto close = peer.find(']');
    return std::string{peer.substr(
      1, close == std::string_view::npos ? std::string_view::npos : close - 1)};
  }
  auto colon = peer.rfind(':');
  // More than one colon without brackets: an IPv6 address without a port.
  if (colon == std::string_view::npos || peer.find(':') != colon)
    return std::string{peer};
  return std::string{peer.substr(0, colon)};
}

} // namespace argus::gateway
