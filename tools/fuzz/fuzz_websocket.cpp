// libFuzzer harness: hostile bytes from a WebSocket client through the
// server's frame reader, with permessage-deflate on, fed in chunks whose
// sizes the input chooses. Never crashes; buffers stay within the message
// bound; every message is within the bound and, if text, valid UTF-8; after
// a protocol error nothing more is read.

#include "messages/utf8.hpp"
#include "runtime/gateway/websocket/frames.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace argus::gateway::websocket;
  constexpr size_t message_max = 4096;
  if (size < 1)
    return 0;
  // The first byte picks the chunking and whether the client resets its
  // compressor.
  size_t chunk = 1 + (data[0] & 0x3f);
  bool reset = data[0] & 0x40;
  std::string_view bytes{reinterpret_cast<const char*>(data + 1), size - 1};
  frame_reader r{message_max, true, reset};
  bool failed = false;
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    r.feed(bytes.substr(i, chunk));
    while (auto e = r.next()) {
      if (failed)
        std::abort(); // nothing after an error
      switch (e->what) {
        case read_event::kind::message:
          if (e->payload.size() > message_max)
            std::abort();
          if (!e->binary && argus::first_invalid_utf8(e->payload))
            std::abort();
          break;
        case read_event::kind::ping:
        case read_event::kind::pong:
        case read_event::kind::close:
          if (e->payload.size() > 125)
            std::abort();
          break;
        case read_event::kind::error:
          if (e->payload.empty())
            std::abort(); // a failure always says why
          failed = true;
          break;
      }
    }
    // A frame is refused from its header once it claims too much: what
    // waits is one frame's header and its bounded payload.
    if (r.buffered() > message_max + message_max / 16 + 64 + 14 + chunk)
      std::abort();
  }
  return 0;
}
