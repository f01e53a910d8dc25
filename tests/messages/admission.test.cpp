#include "messages/admission.hpp"

#include "messages/error.hpp"
#include "messages/trace_context.hpp"

#include <doctest/doctest.h>

#include "tests/messages/samples.hpp"

using namespace argus;

TEST_CASE("admit refuses spans whose ids or times cannot be stored") {
  auto check = [](auto edit, span_defect expected) {
    auto x = test::sample_span_recorded();
    edit(x);
    auto defect = admit(x);
    REQUIRE(defect);
    CHECK(*defect == expected);
    CHECK(!describe(*defect, x).empty());
  };
  check(
    [](span_recorded& x) {
      x.trace_id = "4BF92F3577B34DA6A3CE929D0E0E4736";
    },
    span_defect::bad_trace_id); // upper case
  check(
    [](span_recorded& x) {
      x.trace_id = std::string(32, '0');
    },
    span_defect::bad_trace_id); // all zero
  check(
    [](span_recorded& x) {
      x.trace_id = "abc";
    },
    span_defect::bad_trace_id);
  check(
    [](span_recorded& x) {
      x.span_id.clear();
    },
    span_defect::bad_span_id);
  check(
    [](span_recorded& x) {
      x.span_id = "00f067aa0ba902b7ff";
    },
    span_defect::bad_span_id);
  check(
    [](span_recorded& x) {
      x.parent_span_id = "nope";
    },
    span_defect::bad_parent_span_id);
  check(
    [](span_recorded& x) {
      x.start_ns = 0;
    },
    span_defect::missing_time);
  check(
    [](span_recorded& x) {
      x.end_ns = -1;
    },
    span_defect::missing_time);
  check(
    [](span_recorded& x) {
      x.end_ns = x.start_ns - 1;
    },
    span_defect::reversed_times);
  check(
    [](span_recorded& x) {
      x.trace_id.clear();
      x.hdr.corr = correlation_id{};
    },
    span_defect::no_trace_id);
}

TEST_CASE("admit gives a span without a trace id its correlation id's, and "
          "lets valid spans and other events through unchanged") {
  auto x = test::sample_span_recorded();
  x.trace_id.clear();
  CHECK(!admit(x));
  CHECK(x.trace_id == trace_id_for(x.hdr.corr).hex());
  auto y = test::sample_span_recorded();
  auto before = y;
  CHECK(!admit(y));
  CHECK(y == before);
  // A root span (no parent) and a zero-length span are fine.
  y.parent_span_id.clear();
  y.end_ns = y.start_ns;
  CHECK(!admit(y));
  inbound_event regime = test::sample_regime_recorded();
  CHECK(!admit(regime));
  inbound_event bad = [] {
    auto s = test::sample_span_recorded();
    s.span_id = "zz";
    return s;
  }();
  auto err = admit(bad);
  REQUIRE(err);
  CHECK(err == ec::invalid_argument);
  CHECK(to_string(err).find("span_id 'zz'") != std::string::npos);
}
