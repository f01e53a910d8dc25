#pragma once

// Bearer tokens with roles, kept as SHA-256 digests and compared in constant
// time, and a throttle that slows down an address that keeps failing.

#include "messages/digest.hpp"
#include "runtime/gateway/routes.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace argus::gateway {

class token_store {
public:
  /// Adds a token; only its digest is kept.
  void add(std::string name, role granted, std::string_view token);

  /// @returns who `token` belongs to. Compares against every digest, in
  ///          constant time each, so the time says nothing about which
  ///          token was close.
  std::optional<principal> find(std::string_view token) const;

  size_t size() const noexcept {
    return entries_.size();
  }

private:
  struct entry {
    std::string name;
    role granted;
    sha256_digest hash;
  };
  std::vector<entry> entries_;
};

/// @returns the token of an `Authorization: Bearer <token>` value, or
///          nullopt when the header is missing or of another scheme.
std::optional<std::string_view> bearer_token(std::string_view authorization);

/// Counts failed authentications per address; an address that fails
/// `limit` times within `window` is refused until the window has passed.
/// Bounded: at most `max_addresses` are remembered (the oldest go first).
class failure_throttle {
public:
  using clock = std::chrono::steady_clock;

  failure_throttle(size_t limit, std::chrono::milliseconds window,
                   size_t max_addresses = 4096)
      : limit_(limit), window_(window), max_addresses_(max_addresses) {
  }

  /// @returns how long `address` must still wait (zero: not throttled).
  std::chrono::milliseconds blocked_for(const std::string& address,
                                        clock::time_point now);

  void failed(const std::string& address, clock::time_point now);

  /// A success forgets the address's failures.
  void succeeded(const std::string& address);

  /// Addresses remembered.
  size_t size();

private:
  struct record {
    clock::time_point first;
    size_t failures = 0;
  };
  size_t limit_;
  std::chrono::milliseconds window_;
  size_t max_addresses_;
  std::mutex mtx_;
  std::unordered_map<std::string, record> records_;
};

/// @returns the address part of `host:port` (IPv6 in brackets or not).
std::string peer_address(std::string_view peer);

} // namespace argus::gateway
