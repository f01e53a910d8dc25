#pragma once

// The HTTP/1.1 listener: accepts connections, reads requests within limits,
// hands each to a handler and writes its response. Its own I/O thread;
// handlers answer through a `responder` from any thread, so a slow handler
// never holds up the listener; upgraded connections speak WebSocket on the
// framing of websocket/. No Boost in this header: Beast is confined to
// http_server.cpp.

#include "runtime/gateway/http_types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
  /// Threads running the sockets (each connection on a strand of its own):
  /// a second one writes a published message to half the WebSocket clients
  /// (and encrypts for them under TLS) while the first does the rest.
  size_t io_threads = 1;
};

/// Sends the response of one request; call exactly once, from any thread.
/// Calls after the server stopped are ignored.
using responder = std::function<void(http_response)>;

/// Called on the I/O thread for each request; must not block.
using request_handler = std::function<void(http_request, responder)>;

/// A WebSocket the handler of upgrades accepted, in plain types: what the
/// server sends comes from `next`, what the client sends goes to
/// `on_message`.
struct websocket_endpoint {
  /// The next text frame to send, or nullptr when nothing waits. Called on
  /// the I/O thread, one frame at a time.
  std::function<std::shared_ptr<const std::string>()> next;
  /// Called once, on the I/O thread, with the function that wakes the
  /// connection from any thread: `wake(false)` when `next` has something
  /// again, `wake(true)` to close it as too slow (1013, try again later).
  std::function<void(std::function<void(bool close)> wake)> on_open;
  /// A text message from the client; a non-empty answer is sent before the
  /// next frame of `next`.
  std::function<std::string(std::string_view)> on_message;
  /// Called once when the connection ends, whichever side ends it.
  std::function<void()> on_close;
  /// Largest message the client may send (inflated); more closes with 1009.
  size_t read_message_max = 64 * 1024;
  /// permessage-deflate, when the client offers it: each message deflated
  /// once for every client sending it (server_no_context_takeover).
  bool deflate = true;
  /// Without a frame from the client for this long (pings included), the
  /// connection is closed; the server pings at half of it.
  std::chrono::seconds idle_timeout{60};
};

/// Decides an upgrade request, on the I/O thread (must not block): an
/// endpoint, or nothing with `refusal` set to the answer (401, 403, 404).
using upgrade_handler = std::function<std::optional<websocket_endpoint>(
  const http_request&, http_response& refusal)>;

class http_server {
public:
  /// Binds and starts listening. @returns the server, or why it could not
  /// (address in use, invalid address) in `error`.
  /// `upgrade`: what answers WebSocket upgrade requests (none: they are
  /// ordinary requests for `handler`).
  static std::unique_ptr<http_server> start(const http_server_options& opts,
                                            request_handler handler,
                                            std::string& error,
                                            upgrade_handler upgrade = {});

  virtual ~http_server() = default;

  /// The bound port.
  virtual uint16_t port() const noexcept = 0;

  /// Stops accepting, closes every connection and joins the I/O thread.
  /// Idempotent.
  virtual void stop() noexcept = 0;

  /// Connections and rejections by reason (`connections_accepted`,
  /// `connections_refused_cap`, `requests`, `header_too_large`,
  /// `body_too_large`, `malformed`, `timeouts`, `open_connections`,
  /// `tls_handshake_failures`, `websockets_open`, `websockets_accepted`,
  /// `websockets_refused`, `websockets_closed_slow`, `websockets_timed_out`,
  /// `websockets_too_big`, `websocket_frames_sent`,
  /// `websocket_frames_compressed`, `websocket_messages_deflated`).
  virtual std::map<std::string, uint64_t> counters() const = 0;
};

} // namespace argus::gateway
