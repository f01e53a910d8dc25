#include "messages/utf8.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include <nlohmann/json.hpp>

using namespace argus;

TEST_CASE("first_invalid_utf8 finds the first bad byte") {
  CHECK(!first_invalid_utf8(""));
  CHECK(!first_invalid_utf8("plain ascii, long enough for the word loop"));
  CHECK(!first_invalid_utf8("\xc3\xa4\xe2\x82\xac\xf0\x9f\x93\x89"));
  CHECK(first_invalid_utf8("abcdefghij\xff") == 10u);
  CHECK(first_invalid_utf8("ab\x80") == 2u);           // lone continuation
  CHECK(first_invalid_utf8("ab\xc1\xbf") == 2u);       // overlong
  CHECK(first_invalid_utf8("\xe0\x80\xaf") == 0u);     // overlong 3-byte
  CHECK(first_invalid_utf8("\xed\xbf\xbf") == 0u);     // surrogate
  CHECK(first_invalid_utf8("\xf4\x90\x80\x80") == 0u); // above U+10FFFF
  CHECK(first_invalid_utf8("x\xf0\x9f\x93") == 1u);    // truncated at the end
  CHECK(first_invalid_utf8("\xf5\x80\x80\x80") == 0u);
}

TEST_CASE("first_invalid_utf8 agrees with nlohmann's strict UTF-8 check on "
          "random bytes") {
  // An independent decoder as the oracle: nlohmann::json::dump throws on
  // exactly the strings that are not UTF-8.
  std::mt19937 rng{42};
  // Bias towards the interesting lead and continuation bytes.
  const unsigned char pool[]
    = {'a',  0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
       0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
  int invalid = 0;
  for (int i = 0; i < 200'000; ++i) {
    std::string s(1 + rng() % 6, '\0');
    for (auto& c : s)
      c = static_cast<char>(pool[rng() % sizeof(pool)]);
    bool strict_ok = true;
    try {
      static_cast<void>(nlohmann::json(s).dump());
    } catch (const nlohmann::json::type_error&) {
      strict_ok = false;
    }
    auto ours = first_invalid_utf8(s);
    REQUIRE_MESSAGE(strict_ok == !ours, "bytes of length " << s.size());
    invalid += ours ? 1 : 0;
  }
  // Both kinds were exercised.
  CHECK(invalid > 1000);
  CHECK(invalid < 199'000);
}
