#include "messages/codec.hpp"

#include "messages/type_ids.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/messages/samples.hpp"
#include "tests/support/temp_dir.hpp"

using namespace argus;

namespace {

template <class T>
void check_roundtrip(const T& x) {
  // msgpack
  auto bytes = codec::encode(x);
  auto back = codec::decode<T>(bytes);
  REQUIRE_MESSAGE(back, to_string(back.error()));
  CHECK(*back == x);
  // CAF (what crosses the network between actor systems)
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  T copy = x;
  REQUIRE(!sink(copy));
  T out;
  caf::binary_deserializer source{nullptr, buf};
  REQUIRE(!source(out));
  CHECK(out == x);
}

std::string golden_dir() {
  return std::string{ARGUS_SOURCE_DIR} + "/tests/messages/golden";
}

} // namespace

TEST_CASE("every message type round-trips through msgpack and CAF") {
  for (const auto& ev : test::sample_events())
    std::visit(
      [](const auto& x) {
        check_roundtrip(x);
      },
      ev);
  check_roundtrip(test::sample_drift_alert());
  check_roundtrip(test::sample_retrain_requested());
  check_roundtrip(test::sample_report_requested());
  check_roundtrip(test::sample_report_generated());
  check_roundtrip(test::sample_component_status());
  check_roundtrip(test::sample_integration_status());
  check_roundtrip(test::sample_persist_rows());
  check_roundtrip(test::sample_flush_ack());
}

TEST_CASE("every inbound event round-trips through an envelope and a frame") {
  auto samples = test::sample_events();
  REQUIRE(samples.size() == std::variant_size_v<inbound_event>);
  codec::frame_decoder decoder;
  std::string stream;
  for (const auto& ev : samples)
    stream += codec::frame(codec::encode_event(ev));
  // Feed the stream in odd-sized pieces: frames split across reads.
  for (size_t i = 0; i < stream.size(); i += 7)
    decoder.append(std::string_view{stream}.substr(i, 7));
  for (const auto& ev : samples) {
    auto got = decoder.next();
    REQUIRE(got);
    REQUIRE_MESSAGE(*got, to_string(got->error()));
    CHECK((**got).index() == ev.index());
    CHECK(codec::type_name(**got) == std::string{codec::type_name(ev)});
    CHECK(codec::encode_event(**got) == codec::encode_event(ev));
  }
  CHECK(!decoder.next());
  CHECK(decoder.frames_accepted() == samples.size());
}

TEST_CASE("a 5-byte message that announces a 4-billion-element array is "
          "rejected without allocating") {
  // 0xdd = array32 with length 0xffffffff, then one byte.
  std::string hostile{"\xdd\xff\xff\xff\xff", 5};
  auto r = codec::decode<regime_recorded>(hostile);
  REQUIRE(!r);
  CHECK(r.error() == ec::protocol_violation);
  // Same for a huge map and a huge string.
  for (auto bytes : {std::string{"\xdf\xff\xff\xff\xff", 5},
                     std::string{"\xdb\xff\xff\xff\xff", 5}}) {
    auto e = codec::decode_event(bytes);
    REQUIRE(!e);
    CHECK(e.error() == ec::protocol_violation);
  }
}

TEST_CASE("malformed messages become protocol violations, never crashes") {
  auto good = codec::encode_event(test::sample_regime_recorded());
  // Truncated at every length.
  for (size_t n = 0; n < good.size(); ++n) {
    auto r = codec::decode_event(std::string_view{good}.substr(0, n));
    REQUIRE(!r);
    CHECK(r.error() == ec::protocol_violation);
  }
  // Trailing garbage.
  auto trailing = codec::decode_event(good + "x");
  REQUIRE(!trailing);
  CHECK(to_string(trailing.error()).find("trailing") != std::string::npos);
  // Unknown type, wrong envelope, wrong field type.
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk{buf};
  pk.pack_array(2);
  pk.pack(std::string{"rm_rf"});
  pk.pack_map(0);
  auto unknown = codec::decode_event({buf.data(), buf.size()});
  REQUIRE(!unknown);
  CHECK(to_string(unknown.error()).find("unknown event type")
        != std::string::npos);
  msgpack::sbuffer buf2;
  msgpack::packer<msgpack::sbuffer> pk2{buf2};
  pk2.pack_array(2);
  pk2.pack(std::string{"regime_recorded"});
  pk2.pack_map(1);
  pk2.pack(std::string{"regime_confidence"});
  pk2.pack(std::string{"very"});
  auto wrong_type = codec::decode_event({buf2.data(), buf2.size()});
  REQUIRE(!wrong_type);
  CHECK(to_string(wrong_type.error()).find("regime_recorded")
        != std::string::npos);
  // Deep nesting.
  std::string deep(100, '\x91'); // 100 nested 1-arrays
  deep += '\xc0';
  auto too_deep = codec::decode_event(deep);
  REQUIRE(!too_deep);
  CHECK(to_string(too_deep.error()).find("nesting") != std::string::npos);
}

TEST_CASE("a 1 MiB frame of nested array headers is refused in well under "
          "10 ms, without allocating for what it announces") {
  // Each array32 header announces a quarter million elements; nested, the
  // claims add up to far more than the bytes that follow.
  std::string hostile;
  while (hostile.size() + 5 <= codec::default_max_frame_size)
    hostile += std::string{"\xdd\x00\x04\x00\x00", 5};
  auto start = std::chrono::steady_clock::now();
  caf::expected<inbound_event> r{caf::make_error(ec::unspecified)};
  for (int i = 0; i < 10; ++i)
    r = codec::decode_event(hostile);
  auto each = (std::chrono::steady_clock::now() - start) / 10;
  REQUIRE(!r);
  CHECK(r.error() == ec::protocol_violation);
  CHECK(to_string(r.error()).find("only") != std::string::npos);
  CHECK(each < std::chrono::milliseconds{10});
  // Claims that just fit are read; one element more is refused.
  std::string fits{"\x92\xc0\xc0", 3};
  CHECK(codec::unpack_bounded(fits));
  std::string short_by_one{"\x93\xc0\xc0", 3};
  CHECK(!codec::unpack_bounded(short_by_one));
  // A map announces keys and values: two bytes per entry at least.
  std::string map_too_big{"\x82\xc0\xc0\xc0", 4};
  CHECK(!codec::unpack_bounded(map_too_big));
  // Nesting counts a container whose last element opens another.
  std::string chain(codec::max_depth + 1, '\x91');
  chain += '\xc0';
  auto deep = codec::unpack_bounded(chain);
  REQUIRE(!deep);
  CHECK(to_string(deep.error()).find("nesting") != std::string::npos);
  std::string ok_chain(codec::max_depth, '\x91');
  ok_chain += '\xc0';
  CHECK(codec::unpack_bounded(ok_chain));
}

TEST_CASE("text that is not UTF-8 is refused at the door, naming the field") {
  auto x = test::sample_metric_sampled();
  x.labels["venue"] = std::string{"bin\xff"
                                  "ance",
                                  8};
  auto r = codec::decode_event(codec::encode_event(x));
  REQUIRE(!r);
  CHECK(r.error() == ec::protocol_violation);
  auto text = to_string(r.error());
  CHECK(text.find("not valid UTF-8") != std::string::npos);
  CHECK(text.find("labels") != std::string::npos);
  // In a key, in a nested name, as bin: all refused.
  for (std::string bad : {std::string{"\xc0\xaf", 2},         // overlong '/'
                          std::string{"\xed\xa0\x80", 3},     // a surrogate
                          std::string{"\xf4\x90\x80\x80", 4}, // > U+10FFFF
                          std::string{"\xe2\x82", 2}}) {      // truncated
    auto y = test::sample_regime_recorded();
    y.regime_type = bad;
    auto e = codec::decode_event(codec::encode_event(y));
    REQUIRE(!e);
    CHECK(to_string(e.error()).find("regime_type") != std::string::npos);
  }
  // Valid multi-byte text passes untouched.
  auto y = test::sample_regime_recorded();
  y.regime_type = "Bärenmarkt \xe2\x82\xac \xf0\x9f\x93\x89";
  auto ok = codec::decode_event(codec::encode_event(y));
  REQUIRE(ok);
  CHECK(std::get<regime_recorded>(*ok).regime_type == y.regime_type);
}

TEST_CASE("out-of-range enums and invalid correlation ids are rejected") {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk{buf};
  pk.pack_map(1);
  pk.pack(std::string{"component"});
  pk.pack(200);
  auto bad_enum = codec::decode<span_recorded>({buf.data(), buf.size()});
  REQUIRE(!bad_enum);
  CHECK(bad_enum.error() == ec::protocol_violation);
  msgpack::sbuffer buf2;
  msgpack::packer<msgpack::sbuffer> pk2{buf2};
  pk2.pack_map(1);
  pk2.pack(std::string{"hdr"});
  pk2.pack_map(1);
  pk2.pack(std::string{"corr"});
  pk2.pack(std::string{"has space"});
  auto bad_corr = codec::decode<regime_recorded>({buf2.data(), buf2.size()});
  REQUIRE(!bad_corr);
  CHECK(bad_corr.error() == ec::protocol_violation);
}

TEST_CASE("unknown fields are ignored and missing fields keep defaults") {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk{buf};
  pk.pack_map(2);
  pk.pack(std::string{"regime_type"});
  pk.pack(std::string{"SIDEWAYS"});
  pk.pack(std::string{"added_in_v9"});
  pk.pack(std::vector<int>{1, 2, 3});
  auto r = codec::decode<regime_recorded>({buf.data(), buf.size()});
  REQUIRE(r);
  CHECK(r->regime_type == "SIDEWAYS");
  CHECK(r->regime_confidence == 0.0);
  CHECK(r->hdr.corr.empty());
}

TEST_CASE("a message from a newer schema version is refused") {
  auto x = test::sample_regime_recorded();
  x.hdr.version = regime_recorded::version + 1;
  auto r = codec::decode<regime_recorded>(codec::encode(x));
  REQUIRE(!r);
  CHECK(r.error() == ec::unsupported_version);
  auto e = codec::decode_event(codec::encode_event(x));
  REQUIRE(!e);
  CHECK(e.error() == ec::unsupported_version);
}

TEST_CASE("an oversized frame length closes the stream with an error") {
  codec::frame_decoder decoder{1024};
  decoder.append(std::string{"\x00\x10\x00\x00", 4}); // 1 MiB > 1024
  auto r = decoder.next();
  REQUIRE(r);
  REQUIRE(!*r);
  CHECK(r->error() == ec::protocol_violation);
  CHECK(decoder.failed());
  decoder.append(
    codec::frame(codec::encode_event(test::sample_flush_requested())));
  CHECK(!decoder.next());
  CHECK(decoder.frames_rejected() == 1);
}

TEST_CASE("a bad frame is skipped and the stream goes on") {
  codec::frame_decoder decoder;
  decoder.append(codec::frame("\xc1")); // 0xc1 is never valid msgpack
  decoder.append(
    codec::frame(codec::encode_event(test::sample_regime_recorded())));
  auto bad = decoder.next();
  REQUIRE(bad);
  CHECK(!*bad);
  auto good = decoder.next();
  REQUIRE(good);
  CHECK(*good);
  CHECK(decoder.frames_rejected() == 1);
  CHECK(decoder.frames_accepted() == 1);
}

// Golden bytes: envelopes written by an earlier build. They must keep
// decoding to the same values forever (append-only schema). Regenerate only
// for a new message type: ARGUS_WRITE_GOLDEN=1 unit_tests -tc='golden*'.
TEST_CASE("golden msgpack files keep decoding") {
  auto dir = golden_dir();
  if (std::getenv("ARGUS_WRITE_GOLDEN")) {
    std::filesystem::create_directories(dir);
    for (const auto& ev : test::sample_events()) {
      std::ofstream out{dir + "/" + codec::type_name(ev) + ".v1.msgpack",
                        std::ios::binary};
      out << codec::encode_event(ev);
    }
  }
  for (const auto& ev : test::sample_events()) {
    auto path = dir + "/" + codec::type_name(ev) + ".v1.msgpack";
    INFO(path);
    REQUIRE(std::filesystem::exists(path));
    auto bytes = test::read_file(path);
    auto decoded = codec::decode_event(bytes);
    REQUIRE_MESSAGE(decoded, to_string(decoded.error()));
    CHECK(decoded->index() == ev.index());
    CHECK(codec::encode_event(*decoded) == codec::encode_event(ev));
  }
}
