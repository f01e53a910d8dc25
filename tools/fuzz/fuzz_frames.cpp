// libFuzzer harness: a byte stream from a hostile sender, through the frame
// decoder and the admission checks, as argusd's standard input and the
// ingest port read it. Never crashes, never throws; whatever decodes encodes
// and decodes to the same event; a broken framing stays broken.

#include "messages/admission.hpp"
#include "messages/codec.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace argus;
  std::string_view bytes{reinterpret_cast<const char*>(data), size};
  // The stream arrives in pieces as reads return them: the first byte picks
  // the piece size, so chunk boundaries are fuzzed too.
  size_t piece = size > 0 ? 1 + data[0] % 64 : 1;
  codec::frame_decoder decoder{64 * 1024};
  size_t fed = 0;
  while (fed < bytes.size()) {
    auto n = std::min(piece, bytes.size() - fed);
    decoder.append(bytes.substr(fed, n));
    fed += n;
    while (auto item = decoder.next()) {
      if (!*item) {
        if (item->error() != ec::protocol_violation
            && item->error() != ec::unsupported_version)
          std::abort(); // every refusal says why, in the wire's terms
        continue;
      }
      auto& event = **item;
      static_cast<void>(admit(event));
      auto again = codec::decode_event(codec::encode_event(event));
      if (!again || codec::encode_event(*again) != codec::encode_event(event))
        std::abort(); // what was accepted must survive a round trip
    }
    if (decoder.failed() && decoder.next())
      std::abort(); // a broken stream yields nothing more
  }
  return 0;
}
