#include "runtime/gateway/websocket/frames.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <zlib.h>

using namespace argus::gateway::websocket;

namespace {

/// A frame as a client sends it: masked with `key`.
std::string client_frame(uint8_t first_byte, std::string_view payload,
                         std::string key = "\x12\x34\x56\x78") {
  std::string f;
  f.push_back(static_cast<char>(first_byte));
  auto n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xffff) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xff));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int s = 56; s >= 0; s -= 8)
      f.push_back(static_cast<char>((uint64_t{n} >> s) & 0xff));
  }
  f.append(key);
  for (size_t i = 0; i < n; ++i)
    f.push_back(static_cast<char>(payload[i] ^ key[i & 3]));
  return f;
}

std::vector<read_event> read_all(frame_reader& r, std::string_view bytes,
                                 size_t chunk = 1 << 20) {
  std::vector<read_event> out;
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    r.feed(bytes.substr(i, chunk));
    while (auto e = r.next())
      out.push_back(std::move(*e));
  }
  return out;
}

} // namespace

TEST_CASE("frame headers use the shortest length form and RSV1 marks a "
          "compressed message") {
  CHECK(frame_header(opcode::text, 5) == std::string("\x81\x05", 2));
  CHECK(frame_header(opcode::text, 125, true) == std::string("\xc1\x7d", 2));
  CHECK(frame_header(opcode::text, 126) == std::string("\x81\x7e\x00\x7e", 4));
  CHECK(frame_header(opcode::text, 65535)
        == std::string("\x81\x7e\xff\xff", 4));
  CHECK(frame_header(opcode::text, 65536)
        == std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  CHECK(frame(opcode::pong, "hi") == std::string("\x8a\x02hi", 4));
}

TEST_CASE("a close payload carries the code and a reason cut on a UTF-8 "
          "boundary to fit a control frame") {
  CHECK(close_payload(close_code::too_big, "big")
        == std::string("\x03\xf1"
                       "big",
                       5));
  std::string reason;
  for (int i = 0; i < 100; ++i)
    reason += "\xc3\xa9"; // é, two bytes each
  auto p = close_payload(close_code::normal, reason);
  CHECK(p.size() <= 125);
  CHECK(p.size() % 2 == 0); // code plus whole two-byte characters
}

TEST_CASE("the reader unmasks messages, joins fragments, and answers "
          "control frames between them, whatever the chunking") {
  std::string bytes = client_frame(0x81, "hello")
                      + client_frame(0x01, "frag") // text, not final
                      + client_frame(0x89, "are you there")
                      + client_frame(0x00, "men") // continuation
                      + client_frame(0x80, "ted") // final continuation
                      + client_frame(0x8a, "") + client_frame(0x82, "\x01\x02");
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{7}, bytes.size()}) {
    CAPTURE(chunk);
    frame_reader r{1024, false};
    auto events = read_all(r, bytes, chunk);
    REQUIRE(events.size() == 5);
    CHECK(events[0].what == read_event::kind::message);
    CHECK(events[0].payload == "hello");
    CHECK(events[1].what == read_event::kind::ping);
    CHECK(events[1].payload == "are you there");
    CHECK(events[2].what == read_event::kind::message);
    CHECK(events[2].payload == "fragmented");
    CHECK_FALSE(events[2].binary);
    CHECK(events[3].what == read_event::kind::pong);
    CHECK(events[4].binary);
    CHECK(events[4].payload == "\x01\x02");
    CHECK(r.buffered() == 0);
  }
}

TEST_CASE("the reader reads 16- and 64-bit lengths") {
  std::string mid(300, 'm'), big(70'000, 'b');
  frame_reader r{100'000, false};
  auto events
    = read_all(r, client_frame(0x81, mid) + client_frame(0x81, big), 4096);
  REQUIRE(events.size() == 2);
  CHECK(events[0].payload == mid);
  CHECK(events[1].payload == big);
}

TEST_CASE("a close frame gives its code and reason, an empty one no code") {
  frame_reader r{1024, false};
  auto events = read_all(r, client_frame(0x88, "\x03\xe8"
                                               "bye"));
  REQUIRE(events.size() == 1);
  CHECK(events[0].what == read_event::kind::close);
  CHECK(events[0].code == close_code::normal);
  CHECK(events[0].payload == "bye");
  frame_reader r2{1024, false};
  events = read_all(r2, client_frame(0x88, ""));
  REQUIRE(events.size() == 1);
  CHECK(events[0].code == close_code::no_status);
}

TEST_CASE("protocol violations fail the connection with the code RFC 6455 "
          "names, and nothing is read after") {
  struct bad {
    const char* what;
    std::string bytes;
    close_code code;
  };
  std::string unmasked = "\x81\x02hi";
  std::vector<bad> cases{
    {"unmasked", unmasked, close_code::protocol_error},
    {"RSV2", client_frame(0xa1, "x"), close_code::protocol_error},
    {"RSV1 without deflate", client_frame(0xc1, "x"),
     close_code::protocol_error},
    {"unknown data opcode", client_frame(0x83, "x"),
     close_code::protocol_error},
    {"unknown control opcode", client_frame(0x8b, "x"),
     close_code::protocol_error},
    {"fragmented ping", client_frame(0x09, "x"), close_code::protocol_error},
    {"ping over 125", client_frame(0x89, std::string(126, 'p')),
     close_code::protocol_error},
    {"continuation first", client_frame(0x80, "x"), close_code::protocol_error},
    {"message inside a message",
     client_frame(0x01, "a") + client_frame(0x81, "b"),
     close_code::protocol_error},
    {"text not UTF-8", client_frame(0x81, "\xc3\x28"),
     close_code::invalid_payload},
    {"fragments join into invalid UTF-8",
     client_frame(0x01, "\xe2\x82") + client_frame(0x80, "\x28"),
     close_code::invalid_payload},
    {"close of one byte", client_frame(0x88, "\x03"),
     close_code::protocol_error},
    {"close code 1005 sent", client_frame(0x88, "\x03\xed"),
     close_code::protocol_error},
    {"close code 999", client_frame(0x88, "\x03\xe7"),
     close_code::protocol_error},
    {"close reason not UTF-8", client_frame(0x88, "\x03\xe8\xff"),
     close_code::invalid_payload},
    {"length not minimal",
     std::string("\x81\xfe\x00\x05", 4) + "abcd" + "hello",
     close_code::protocol_error},
    {"length over 2^63",
     std::string("\x81\xff\x80\x00\x00\x00\x00\x00\x00\x00", 10),
     close_code::protocol_error},
    {"message over the bound", client_frame(0x81, std::string(2000, 'x')),
     close_code::too_big},
    {"fragments over the bound",
     client_frame(0x01, std::string(600, 'x'))
       + client_frame(0x80, std::string(600, 'x')),
     close_code::too_big},
  };
  for (auto& c : cases) {
    CAPTURE(c.what);
    frame_reader r{1024, false};
    auto events = read_all(r, c.bytes + client_frame(0x81, "after"));
    REQUIRE(events.size() >= 1);
    CHECK(events.back().what == read_event::kind::error);
    CHECK(events.back().code == c.code);
    CHECK_FALSE(events.back().payload.empty());
    CHECK(r.buffered() == 0);
  }
}

TEST_CASE("a frame over the bound is refused from its header alone, before "
          "its payload is buffered") {
  frame_reader r{1024, false};
  // Claims 1 GiB and sends only the header and mask.
  std::string head("\x81\xff\x00\x00\x00\x00\x40\x00\x00\x00"
                   "abcd",
                   14);
  r.feed(head);
  auto e = r.next();
  REQUIRE(e);
  CHECK(e->code == close_code::too_big);
}

/// What a browser's compressor sends: one raw deflate stream across
/// messages (context takeover), each sync-flushed with its tail removed.
std::vector<std::string> deflate_with_context(std::vector<std::string> texts) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::vector<std::string> out;
  for (auto& t : texts) {
    std::string buf(t.size() + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(t.data());
    z.avail_in = static_cast<uInt>(t.size());
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    REQUIRE(deflate(&z, Z_SYNC_FLUSH) == Z_OK);
    buf.resize(buf.size() - z.avail_out);
    REQUIRE(buf.size() >= 4);
    buf.resize(buf.size() - 4);
    out.push_back(buf);
  }
  deflateEnd(&z);
  return out;
}

TEST_CASE("compressed client messages are inflated, with the client's "
          "context kept across messages unless it resets") {
  std::string first = R"({"op":"subscribe","topic":"metrics","id":"a"})";
  std::string second = R"({"op":"subscribe","topic":"metrics","id":"b"})";
  auto wire = deflate_with_context({first, second});
  // The second refers back into the first: it is shorter on the wire.
  CHECK(wire[1].size() < wire[0].size());
  frame_reader r{1024, true};
  auto events = read_all(r, client_frame(0xc1, wire[0])
                              + client_frame(0x81, "plain between")
                              + client_frame(0xc1, wire[1]));
  REQUIRE(events.size() == 3);
  CHECK(events[0].payload == first);
  CHECK(events[1].payload == "plain between");
  CHECK(events[2].payload == second);

  // A reader told the client resets (client_no_context_takeover) has no
  // history for the back-reference.
  frame_reader resetting{1024, true, true};
  events = read_all(resetting,
                    client_frame(0xc1, wire[0]) + client_frame(0xc1, wire[1]));
  REQUIRE(events.size() == 2);
  CHECK(events[0].payload == first);
  CHECK(events[1].what == read_event::kind::error);

  // A message compressed on its own, fragmented: RSV1 on the first frame
  // only.
  auto alone = deflate_message(second);
  frame_reader frag{1024, true};
  events = read_all(frag, client_frame(0x41, alone.substr(0, 5))
                            + client_frame(0x80, alone.substr(5)));
  REQUIRE(events.size() == 1);
  CHECK(events[0].payload == second);

  frame_reader bomb{1024, true};
  auto big = deflate_message(std::string(100'000, 'a'));
  CHECK(big.size() < 1024); // small on the wire, huge inflated
  events = read_all(bomb, client_frame(0xc1, big));
  REQUIRE(events.size() == 1);
  CHECK(events[0].what == read_event::kind::error);
  CHECK(events[0].code == close_code::too_big);

  frame_reader junk{1024, true};
  events = read_all(junk, client_frame(0xc1, "\xff\xff\xff\xff"));
  REQUIRE(events.size() == 1);
  CHECK(events[0].code == close_code::invalid_payload);
}
