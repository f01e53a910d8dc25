#pragma once

// A WebSocket client of argusd's `/ws` for `argusctl follow` and `top`:
// connects (ws, or wss with the system's or the given CA), authorises with
// the bearer header, negotiates permessage-deflate, sends the requests and
// hands each message to the caller. The one argusctl file that sees Beast.

#include <functional>
#include <string>
#include <vector>

namespace argus::ctl {

struct live_target {
  /// `http[s]://host:port` as given to `--server`.
  std::string url;
  std::string token;
  std::string ca_file;
};

/// Connects, sends `requests` (JSON texts), then calls `on_message` with
/// each message until it returns false or the server closes. Blocks.
/// @returns empty, or why it could not connect or what ended it.
std::string
stream_live(const live_target& target, const std::vector<std::string>& requests,
            const std::function<bool(const std::string&)>& on_message);

} // namespace argus::ctl
