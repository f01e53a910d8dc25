#include "runtime/gateway/websocket/deflate.hpp"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include <zlib.h>

using namespace argus::gateway::websocket;

namespace {

/// Inflates one permessage-deflate message with zlib directly, as a client
/// with a fresh context does (server_no_context_takeover).
std::string inflate_alone(std::string data) {
  data.append("\x00\x00\xff\xff", 4);
  z_stream z{};
  REQUIRE(inflateInit2(&z, -15) == Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  auto rc = inflate(&z, Z_SYNC_FLUSH);
  CHECK((rc == Z_OK || rc == Z_BUF_ERROR));
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  return out;
}

std::string dashboard_like(size_t series) {
  std::string s = R"({"type":"metrics","seq":7,"series":[)";
  for (size_t i = 0; i < series; ++i)
    s += R"({"name":"argus_latency_ms","labels":{"component":"c)"
         + std::to_string(i) + R"("},"mean":)" + std::to_string(i * 1.37)
         + "},";
  s += "{}]}";
  return s;
}

} // namespace

TEST_CASE("a deflated message inflates alone, without the final empty "
          "block's tail") {
  auto text = dashboard_like(300);
  auto d = deflate_message(text);
  CHECK(d.size() < text.size() / 3);
  CHECK(d.compare(d.size() - 4, 4, "\x00\x00\xff\xff", 4) != 0);
  CHECK(inflate_alone(d) == text);
  // Each message is independent: the same text twice deflates the same.
  CHECK(deflate_message(text) == d);
  CHECK(inflate_alone(deflate_message("")).empty());
}

TEST_CASE("a shared text is deflated once for every connection and thread "
          "sending it, and forgotten when it is gone") {
  shared_deflate cache;
  auto text = std::make_shared<const std::string>(dashboard_like(100));
  std::vector<std::shared_ptr<const std::string>> got(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] {
      got[i] = cache.get(text);
    });
  for (auto& t : threads)
    t.join();
  for (auto& g : got)
    CHECK(g.get() == got[0].get()); // one object: made once
  CHECK(inflate_alone(*got[0]) == *text);
  CHECK(cache.deflated() == 1);
  // A different text with equal contents is another message.
  auto twin = std::make_shared<const std::string>(*text);
  CHECK(cache.get(twin).get() != got[0].get());
  // Texts that are gone are swept as new ones come.
  text.reset();
  twin.reset();
  for (int i = 0; i < 200; ++i)
    cache.get(
      std::make_shared<const std::string>("message " + std::to_string(i)));
  CHECK(cache.entries() < 130);
}

TEST_CASE("a text at a freed text's address is not given the old one's "
          "compressed form") {
  shared_deflate cache;
  std::string first = "first message, long enough to be worth it";
  std::string second = "second message, and not the same at all!!";
  // Texts not made by make_shared: the text's memory is freed while the
  // cache's weak reference keeps only the control block, so the next text
  // may be allocated where the last one was.
  size_t reused = 0;
  for (int i = 0; i < 50; ++i) {
    std::shared_ptr<const std::string> a{new std::string{first}};
    auto da = cache.get(a);
    const void* where = a.get();
    a.reset();
    std::shared_ptr<const std::string> b{new std::string{second}};
    reused += b.get() == where;
    auto db = cache.get(b);
    CHECK(inflate_alone(*db) == second);
    CHECK(inflate_alone(*da) == first);
  }
  CHECK(reused > 0); // the case under test did occur
}

TEST_CASE("the inflater bounds what a message may inflate to") {
  message_inflater inf{false};
  std::string out;
  auto d = deflate_message(std::string(10'000, 'z'));
  CHECK(inf.inflate(d, 10'000, out) == message_inflater::result::ok);
  CHECK(out == std::string(10'000, 'z'));
  CHECK(inf.inflate(d, 9'999, out) == message_inflater::result::too_big);
  // Still usable after a refusal (its state was reset).
  CHECK(inf.inflate(deflate_message("ok"), 10, out)
        == message_inflater::result::ok);
  CHECK(out == "ok");
}
