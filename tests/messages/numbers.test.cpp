#include "messages/numbers.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

using namespace argus;

TEST_CASE("decimal numbers: signs, fractions and exponents, subnormal "
          "values included") {
  CHECK(parse_decimal("1.5") == 1.5);
  CHECK(parse_decimal("-2") == -2.0);
  CHECK(parse_decimal("+3") == 3.0);
  CHECK(parse_decimal(".5") == 0.5);
  CHECK(parse_decimal("5.") == 5.0);
  CHECK(parse_decimal("3e-4") == 3e-4);
  CHECK(parse_decimal("1E3") == 1000.0);
  auto tiny = parse_decimal("4.9e-324");
  REQUIRE(tiny);
  CHECK(*tiny == std::numeric_limits<double>::denorm_min());
  CHECK(parse_decimal("2.5e-310") == 2.5e-310);
  CHECK(std::signbit(*parse_decimal("-0")));
}

TEST_CASE("what is not a decimal number is refused") {
  for (std::string bad :
       {"",      " 1",       "1 ",    "0x10",   "0x1p3", "-0x1", "inf", "-inf",
        "nan",   "infinity", "1e400", "1e-400", "--1",   "+-1",  "++1", "1,5",
        "1.5.2", "e5",       "abc",   "1_000",  "+",     "-",    "."}) {
    CAPTURE(bad);
    CHECK(!parse_decimal(bad));
  }
}

TEST_CASE("parse_digits takes plain digits within a count, nothing else") {
  CHECK(argus::parse_digits("0") == uint64_t{0});
  CHECK(argus::parse_digits("18446744073709551")
        == uint64_t{18446744073709551});
  CHECK(argus::parse_digits("9999999999999999999")
        == uint64_t{9999999999999999999u});
  CHECK_FALSE(argus::parse_digits("99999999999999999999")); // 20 digits
  CHECK_FALSE(argus::parse_digits(""));
  CHECK_FALSE(argus::parse_digits("+1"));
  CHECK_FALSE(argus::parse_digits(" 1"));
  CHECK_FALSE(argus::parse_digits("1a"));
  CHECK(argus::parse_digits("15", 2) == uint64_t{15});
  CHECK_FALSE(argus::parse_digits("150", 2));
}
