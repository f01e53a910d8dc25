#include "runtime/gateway/websocket/deflate.hpp"

#include <stdexcept>
#include <vector>

#include <zlib.h>

namespace argus::gateway::websocket {

namespace {

/// One deflate stream per thread, reset for each message: deflateInit2's
/// allocation (~270 KiB at memLevel 8) is paid once per I/O thread.
class thread_deflater {
public:
  thread_deflater() {
    if (deflateInit2(&z_, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error{"zlib: deflateInit2 failed"};
  }
  ~thread_deflater() {
    deflateEnd(&z_);
  }
  thread_deflater(const thread_deflater&) = delete;
  thread_deflater& operator=(const thread_deflater&) = delete;

  std::string run(std::string_view text) {
    deflateReset(&z_);
    std::string out;
    out.resize(deflateBound(&z_, static_cast<uLong>(text.size())) + 16);
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z_.avail_in = static_cast<uInt>(text.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    // The bound covers the whole input plus the sync flush's empty block:
    // one call consumes it all.
    auto rc = ::deflate(&z_, Z_SYNC_FLUSH);
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || z_.avail_in != 0)
      throw std::runtime_error{"zlib: deflate failed"};
    out.resize(out.size() - z_.avail_out);
    if (out.size() >= 4
        && out.compare(out.size() - 4, 4, "\x00\x00\xff\xff", 4) == 0)
      out.resize(out.size() - 4);
    return out;
  }

private:
  z_stream z_{};
};

} // namespace

std::string deflate_message(std::string_view text) {
  thread_local thread_deflater d;
  return d.run(text);
}

std::shared_ptr<const std::string>
shared_deflate::get(const std::shared_ptr<const std::string>& text) {
  std::shared_ptr<entry> e;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto& slot = map_[text.get()];
    // The same address may hold a newer text once an older one is freed:
    // an entry whose text is gone is not that of the live text given.
    if (!slot || slot->text.expired()) {
      slot = std::make_shared<entry>();
      slot->text = text;
    }
    e = slot;
    if (map_.size() >= sweep_at_) {
      for (auto i = map_.begin(); i != map_.end();)
        i = i->second->text.expired() ? map_.erase(i) : std::next(i);
      sweep_at_ = std::max<size_t>(64, 2 * map_.size());
    }
  }
  std::call_once(e->once, [&] {
    e->deflated = std::make_shared<const std::string>(deflate_message(*text));
    deflated_.fetch_add(1, std::memory_order_relaxed);
  });
  return e->deflated;
}

size_t shared_deflate::entries() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return map_.size();
}

struct message_inflater::state {
  z_stream z{};
  state() {
    if (inflateInit2(&z, -15) != Z_OK)
      throw std::runtime_error{"zlib: inflateInit2 failed"};
  }
  ~state() {
    inflateEnd(&z);
  }
};

message_inflater::message_inflater(bool no_context_takeover)
    : reset_each_(no_context_takeover) {
}

message_inflater::~message_inflater() = default;

message_inflater::result message_inflater::inflate(std::string_view compressed,
                                                   size_t max,
                                                   std::string& out) {
  if (!z_)
    z_ = std::make_unique<state>();
  auto& z = z_->z;
  out.clear();
  // The sender removed the sync flush's tail; inflate needs it back to end
  // the message's last block.
  static const char tail[4] = {'\x00', '\x00', '\xff', '\xff'};
  std::string_view parts[2] = {compressed, {tail, 4}};
  char chunk[16 * 1024];
  auto outcome = result::ok;
  for (auto part : parts) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(part.data()));
    z.avail_in = static_cast<uInt>(part.size());
    // Until the input is used and zlib holds no more output (a full chunk
    // may leave some behind).
    do {
      z.next_out = reinterpret_cast<Bytef*>(chunk);
      z.avail_out = sizeof chunk;
      auto rc = ::inflate(&z, Z_SYNC_FLUSH);
      if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
        outcome = result::corrupt;
        break;
      }
      size_t produced = sizeof chunk - z.avail_out;
      if (out.size() + produced > max) {
        outcome = result::too_big;
        break;
      }
      out.append(chunk, produced);
      // A final block (BFINAL) ends the stream; what follows is not ours to
      // read, and a stream that neither consumes nor produces is stuck.
      if (rc == Z_STREAM_END) {
        inflateReset(&z);
        break;
      }
      if (produced == 0 && rc == Z_BUF_ERROR)
        break;
    } while (z.avail_in > 0 || z.avail_out == 0);
    if (outcome != result::ok)
      break;
  }
  if (outcome != result::ok || reset_each_)
    inflateReset(&z);
  return outcome;
}

} // namespace argus::gateway::websocket
