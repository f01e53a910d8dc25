#pragma once

// The HTTP/1.1 listener: accepts connections, reads requests within limits,
// hands each to a handler and writes its response. Its own I/O thread;
// handlers answer through a `responder` from any thread, so a slow handler
// never holds up the listener. No Boost in this header: Beast is confined to
// http_server.cpp.

#include "runtime/gateway/http_types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace argus::gateway {

struct http_server_options {
  std::string address = "127.0.0.1";
  /// 0: an ephemeral port (see `http_server::port`).
  uint16_t port = 0;
  /// Connections open at once; one more is answered 503 and closed.
  size_t max_connections = 256;
  /// Request line and header fields; more is answered 431.
  size_t header_limit = 8 * 1024;
  /// Request body (after de-chunking); more is answered 413.
  size_t body_limit = 1024 * 1024;
  /// A request must arrive whole within this time (slow clients), and an
  /// idle keep-alive connection is closed after it.
  std::chrono::milliseconds read_timeout{30'000};
  /// PEM files; both set: TLS (1.2 and later) on every connection.
  std::string tls_certificate;
  std::string tls_key;
};

/// Sends the response of one request; call exactly once, from any thread.
/// Calls after the server stopped are ignored.
using responder = std::function<void(http_response)>;

/// Called on the I/O thread for each request; must not block.
using request_handler = std::function<void(http_request, responder)>;

class http_server {
public:
  /// Binds and starts listening. @returns the server, or why it could not
  /// (address in use, invalid address) in `error`.
  static std::unique_ptr<http_server> start(const http_server_options& opts,
                                            request_handler handler,
                                            std::string& error);

  virtual ~http_server() = default;

  /// The bound port.
  virtual uint16_t port() const noexcept = 0;

  /// Stops accepting, closes every connection and joins the I/O thread.
  /// Idempotent.
  virtual void stop() noexcept = 0;

  /// Connections and rejections by reason (`connections_accepted`,
  /// `connections_refused_cap`, `requests`, `header_too_large`,
  /// `body_too_large`, `malformed`, `timeouts`, `open_connections`,
  /// `tls_handshake_failures`).
  virtual std::map<std::string, uint64_t> counters() const = 0;
};

} // namespace argus::gateway
