#pragma once

// A real engine with its HTTP gateway on an ephemeral loopback port, a
// token per role, and helpers to talk to it.

#include "runtime/engine.hpp"
#include "runtime/gateway/gateway.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/engine_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tools/argusctl/remote.hpp"

namespace argus::test {

using gateway::role;

inline const std::map<role, std::string> tokens_by_role = {
  {role::viewer, "viewer-token-for-the-tests-0001"},
  {role::operator_, "operator-token-for-the-tests-01"},
  {role::admin, "admin-token-for-the-tests-00001"},
};

/// An engine with its gateway on an ephemeral loopback port and a token
/// per role.
struct gateway_fixture : engine_fixture {
  std::unique_ptr<engine> eng;

  explicit gateway_fixture(std::function<void(config::gateway_config&)> tweak
                           = {}) {
    cfg.gateway.enabled = true;
    cfg.gateway.port = 0;
    cfg.gateway.auth_failures_before_throttle = 10'000;
    for (const auto& [r, token] : tokens_by_role) {
      config::api_token t;
      t.role = to_string(r);
      t.token = config::secret{token};
      cfg.gateway.tokens[std::string{"test-"} + to_string(r)] = t;
    }
    if (tweak)
      tweak(cfg.gateway);
  }

  bool start() {
    // The routes argusd serves, its own included.
    auto opts = options();
    opts.routes.push_back(ctl::ctl_route(cfg.storage.path));
    eng = std::make_unique<engine>(cfg, opts);
    auto err = eng->start();
    INFO(caf::to_string(err));
    return !err;
  }

  std::string url() {
    return eng->http_gateway()->url();
  }

  uint16_t port() {
    return eng->http_gateway()->port();
  }

  /// `curl` the route; @returns the status code.
  int curl_status(const std::string& method, const std::string& path,
                  const std::string& token) {
    std::vector<std::string> argv{
      "/usr/bin/curl", "-s", "-o",  "/dev/null", "-w",
      "%{http_code}",  "-X", method};
    if (!token.empty())
      argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
    if (method == "POST")
      argv.insert(argv.end(),
                  {"-H", "Content-Type: application/json", "-d", "{}"});
    argv.push_back(url() + path);
    auto r = test::run(argv);
    return r.code == 0 ? std::atoi(r.out.c_str()) : -1;
  }

  std::string all_logs() {
    std::string out;
    for (const auto& line : logs->last_formatted())
      out += line;
    return out;
  }
};

/// The route's pattern with each `{parameter}` filled in.
inline std::string concrete(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      i = pattern.find('}', i);
      out += "matrix-x";
    } else {
      out += pattern[i];
    }
  }
  return out;
}

inline std::string get_request(const std::string& path,
                               const std::string& token,
                               const std::string& extra = {}) {
  return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n"
         + (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n")
         + extra + "Connection: close\r\n\r\n";
}

inline std::string header_value(const std::string& response,
                                const std::string& name) {
  auto at = response.find("\r\n" + name + ": ");
  if (at == std::string::npos)
    return {};
  at += name.size() + 4;
  return response.substr(at, response.find("\r\n", at) - at);
}

inline std::string body_of(const std::string& response) {
  auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string{} : response.substr(at + 4);
}

/// A POST of `body` as JSON with `token`.
inline std::string post_request(const std::string& path,
                                const std::string& token,
                                const std::string& body,
                                const std::string& extra = {}) {
  return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n"
         + (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n")
         + extra + "Content-Type: application/json\r\nContent-Length: "
         + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace argus::test
