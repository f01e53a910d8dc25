#include "storage/rows.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

using namespace argus;

TEST_CASE("attributes JSON is written by hand exactly as nlohmann writes it") {
  std::vector<attribute> xs{
    {"features_generated", attribute_type::integer, {}, -50, 0, false},
    {"strategy \"applied\"", attribute_type::string,
     "momentum\\based\n\t\b\f\x01 caf\xc3\xa9", 0, 0, false},
    {"ratio", attribute_type::real, {}, 0, 0.1, false},
    {"whole", attribute_type::real, {}, 0, 3.0, false},
    {"tiny", attribute_type::real, {}, 0, 1e-300, false},
    {"filled", attribute_type::boolean, {}, 0, 0, true},
  };
  auto want = nlohmann::json::array();
  for (const auto& a : xs) {
    nlohmann::json v;
    const char* type = "string";
    switch (a.type) {
      case attribute_type::string:
        v = a.text;
        break;
      case attribute_type::integer:
        v = a.integer;
        type = "integer";
        break;
      case attribute_type::real:
        v = a.real;
        type = "real";
        break;
      case attribute_type::boolean:
        v = a.boolean;
        type = "boolean";
        break;
    }
    want.push_back({{"key", a.key}, {"type", type}, {"value", v}});
  }
  CHECK(storage::attributes_to_json(xs) == want.dump());
  CHECK(storage::attributes_from_json(storage::attributes_to_json(xs)) == xs);
  CHECK(storage::attributes_to_json({}) == "[]");
  // A value JSON cannot hold is written as null and reads back as text.
  std::vector<attribute> bad{
    {"nan", attribute_type::real, {}, 0, std::nan(""), false}};
  auto text = storage::attributes_to_json(bad);
  CHECK(text == R"([{"key":"nan","type":"real","value":null}])");
  CHECK(nlohmann::json::parse(text).is_array());
}

TEST_CASE("a span without events or links stores NULL for them and reads "
          "back empty") {
  span_recorded x;
  x.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto row = storage::to_row(x);
  REQUIRE(row.values.size() == 13);
  CHECK(row.values[11].kind == db_value::kind_t::null);
  CHECK(row.values[12].kind == db_value::kind_t::null);
  CHECK(storage::events_from_json("").empty());
  x.links.push_back({"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"});
  CHECK(storage::links_from_json(storage::to_row(x).values[12].text)
        == x.links);
}
