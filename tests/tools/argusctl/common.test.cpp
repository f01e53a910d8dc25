#include "tools/argusctl/common.hpp"

#include "messages/time.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace argus;
using namespace argus::ctl;

TEST_CASE("a text table makes each column as wide as its widest cell, so no "
          "cell runs into the next") {
  text_table t{{"NAME", "LABELS", "VALUE"}};
  t.add({"orders_total", "venue=binance,symbol=BTCUSDT,side=buy", "42"});
  t.add({"x", "-", "3.5"});
  CHECK(t.rows() == 2);
  CHECK(t.str()
        == "NAME          LABELS                                 VALUE\n"
           "orders_total  venue=binance,symbol=BTCUSDT,side=buy  42\n"
           "x             -                                      3.5\n");
}

TEST_CASE("a text table counts characters, not bytes, and takes short and "
          "long rows") {
  text_table t{{"A", "B"}};
  t.add({"été", "1"});
  t.add({"x"});
  t.add({"y", "2", "extra"});
  CHECK(t.str()
        == "A    B\n"
           "été  1\n"
           "x    \n"
           "y    2  extra\n");
  CHECK(text_width("été") == 3);
}

TEST_CASE("--since names a range back from now, or says why not") {
  auto all = since_ns("");
  REQUIRE(all);
  CHECK(*all == 0);
  auto before = wall_clock_ns();
  auto hour = since_ns("1h");
  REQUIRE(hour);
  auto after = wall_clock_ns();
  CHECK(*hour >= before - 3'600'000'000'000);
  CHECK(*hour <= after - 3'600'000'000'000);
  CHECK(!since_ns("yesterday"));
  CHECK(!since_ns("-5m"));
}

TEST_CASE("table cells: numbers, milliseconds and times") {
  CHECK(num(42) == "42");
  CHECK(num(0.125) == "0.125");
  CHECK(num(1.0 / 3) == "0.333333");
  CHECK(num(std::nan("")) == "-");
  CHECK(ms_text(1'234'567) == "1.235");
  CHECK(fixed(2.0 / 3, 2) == "0.67");
  CHECK(time_text(0) == "never");
  CHECK(time_text(1'700'000'000'000'000'000).back() == 'Z');
}

TEST_CASE("opening a database that is not there says so and gives nothing") {
  CHECK(open_db("/nonexistent/argus.db") == nullptr);
}
