#pragma once

// The server's half of the WebSocket opening handshake (RFC 6455 §4.2) and
// of the permessage-deflate negotiation (RFC 7692 §5, §7.1), in plain types.

#include <optional>
#include <string>
#include <string_view>

namespace argus::gateway::websocket {

/// @returns whether `key` is a Sec-WebSocket-Key: 16 bytes in base64.
bool valid_key(std::string_view key) noexcept;

/// The Sec-WebSocket-Accept answering `key`: base64(SHA-1(key + GUID)).
std::string accept_key(std::string_view key);

/// An accepted permessage-deflate offer.
struct deflate_agreement {
  /// The client resets its compressor after each message.
  bool client_no_context_takeover = false;
  /// The Sec-WebSocket-Extensions value of the response.
  std::string response;
};

/// Picks the first permessage-deflate offer of a Sec-WebSocket-Extensions
/// value the server can accept, or nothing. The server always answers
/// server_no_context_takeover (allowed whatever the offer, §7.1.1.1): each
/// message it sends is compressed on its own, once for every client. An
/// offer asking for a server window below 15 bits, or with an unknown or
/// repeated parameter, is declined.
std::optional<deflate_agreement> negotiate_deflate(std::string_view offers);

} // namespace argus::gateway::websocket
