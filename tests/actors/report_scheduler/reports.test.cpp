#include "actors/report_scheduler/reports.hpp"

#include "actors/metrics_dashboard/views.hpp"
#include "actors/report_scheduler/render.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using namespace argus;
using namespace argus::report_scheduler;
using nlohmann::json;

namespace {

constexpr int64_t sec = 1'000'000'000;
constexpr int64_t day = 86'400 * sec;
// 2026-11-02 00:00 UTC, a Monday.
constexpr int64_t t0 = 1'793'577'600 * sec;

trade_executed fill(const char* symbol, trade_side side, double qty,
                    double price, double pnl, int64_t t,
                    const char* tag = "momentum") {
  trade_executed x;
  x.trade_id = "t" + std::to_string(t);
  x.symbol = symbol;
  x.side = side;
  x.quantity = qty;
  x.price = price;
  x.fee = 1.0;
  x.realized_pnl = pnl;
  x.strategy_tag = tag;
  x.time_ns = t;
  return x;
}

/// A week of round trips: wins on Monday and Wednesday, a loss on
/// Thursday, nothing on Tuesday.
std::vector<trade_executed> week() {
  return {
    fill("BTCUSDT", trade_side::buy, 1, 30000, 0, t0 + 9 * 3600 * sec),
    fill("BTCUSDT", trade_side::sell, 1, 30500, 500, t0 + 10 * 3600 * sec),
    fill("ETHUSDT", trade_side::buy, 10, 2000, 0, t0 + 2 * day + 3600 * sec,
         "mean_reversion"),
    fill("ETHUSDT", trade_side::sell, 10, 2030, 300, t0 + 2 * day + 7200 * sec,
         "mean_reversion"),
    fill("BTCUSDT", trade_side::buy, 1, 31000, 0, t0 + 3 * day),
    fill("BTCUSDT", trade_side::sell, 1, 30800, -200, t0 + 3 * day + 600 * sec),
  };
}

report_inputs inputs_of(std::vector<trade_executed> fills) {
  report_inputs in;
  in.trading.starting_capital = 100'000;
  in.fills = std::move(fills);
  return in;
}

const kpi* find_kpi(const document& doc, const std::string& label) {
  for (const auto& s : doc.sections)
    for (const auto& k : s.kpis)
      if (k.label == label)
        return &k;
  return nullptr;
}

} // namespace

TEST_CASE("historical VaR and expected shortfall follow numpy's linear "
          "quantile") {
  // np.quantile([-0.05, -0.02, 0.01, 0.03, 0.04], 0.05) = -0.044: the
  // position 0.2 between the two lowest returns.
  auto [var, es] = value_at_risk({0.03, -0.05, 0.01, 0.04, -0.02}, 0.95);
  CHECK(var == doctest::Approx(0.044).epsilon(1e-12));
  // Only -0.05 lies at or below the quantile.
  CHECK(es == doctest::Approx(0.05).epsilon(1e-12));
  // 99 %: position 0.04, quantile -0.0488.
  auto [var99, es99] = value_at_risk({0.03, -0.05, 0.01, 0.04, -0.02}, 0.99);
  CHECK(var99 == doctest::Approx(0.0488).epsilon(1e-12));
  CHECK(es99 == doctest::Approx(0.05).epsilon(1e-12));
  // Ten returns -0.09 ... 0.00 at 80 %: position 1.8, quantile -0.072,
  // ES the mean of -0.09 and -0.08.
  std::vector<double> ten;
  for (int i = 0; i < 10; ++i)
    ten.push_back(-0.01 * (9 - i));
  auto [v80, e80] = value_at_risk(ten, 0.80);
  CHECK(v80 == doctest::Approx(0.072).epsilon(1e-12));
  CHECK(e80 == doctest::Approx(0.085).epsilon(1e-12));
  // Non-finite returns are left out; none at all is NaN, not a crash.
  auto [vn, en] = value_at_risk({NAN, 0.01, INFINITY}, 0.95);
  CHECK(vn == doctest::Approx(-0.01));
  CHECK(en == doctest::Approx(-0.01));
  auto [v0, e0] = value_at_risk({}, 0.95);
  CHECK(std::isnan(v0));
  CHECK(std::isnan(e0));
}

TEST_CASE("daily returns count the quiet days between the first and last "
          "fill as zero, on the equity of the day before") {
  std::map<std::string, double> by_day{{"2026-12-01", 100.0},
                                       {"2026-12-03", -55.0}};
  auto r = daily_returns(by_day, 1000.0);
  REQUIRE(r.size() == 3);
  CHECK(r[0] == doctest::Approx(0.1));
  CHECK(r[1] == 0.0);
  CHECK(r[2] == doctest::Approx(-0.05));
  CHECK(daily_returns({}, 1000.0).empty());
  // A month boundary and a leap day are days like the others.
  auto leap = daily_returns({{"2028-02-28", 1.0}, {"2028-03-01", 1.0}}, 100);
  CHECK(leap.size() == 3);
}

TEST_CASE("report numbers are formatted for people") {
  CHECK(money(1234567.891) == "1,234,567.89");
  CHECK(money(-1234.5) == "-1,234.50");
  CHECK(money(-0.001) == "0.00");
  CHECK(money(999.999) == "1,000.00");
  CHECK(money(NAN) == "n/a");
  CHECK(percent(0.1234) == "12.34 %");
  CHECK(percent(INFINITY) == "n/a");
  CHECK(percent(-0.000001) == "0.00 %");
  CHECK(percent(-0.0001) == "-0.01 %");
  CHECK(ratio(1.23456) == "1.235");
  CHECK(local_time(t0 + 6 * 3600 * sec, "Europe/Berlin") == "2026-11-02 07:00");
  CHECK(local_time(t0, "No/Such_Zone") == "2026-11-02 00:00 UTC");
}

TEST_CASE("every report over an empty period says so and renders in the "
          "three formats") {
  report_period p{t0, t0 + 7 * day, "Europe/Berlin"};
  for (const char* type : {"performance_summary", "model_analysis",
                           "risk_assessment", "executive_summary"}) {
    CAPTURE(type);
    CHECK(known_report_type(type));
    auto doc = build_report(type, inputs_of({}), p, t0 + 7 * day);
    CHECK(doc.type == type);
    CHECK(doc.empty);
    bool says_so = false;
    for (const auto& s : doc.sections)
      for (const auto& para : s.paragraphs)
        says_so = says_so || para.find("Nothing to report") != std::string::npos;
    CHECK(says_so);
    auto j = json::parse(render_json(doc));
    CHECK(j["type"] == type);
    CHECK(j["empty"] == true);
    auto html = render_html(doc);
    CHECK(html.html.find("Nothing to report") != std::string::npos);
    auto pdf = render_pdf(doc);
    REQUIRE(pdf);
    CHECK(pdf->rfind("%PDF-", 0) == 0);
  }
  CHECK_FALSE(known_report_type("weekly_digest"));
}

TEST_CASE("performance_summary shows the figures of the dashboard's own "
          "function for the period") {
  report_period p{t0, t0 + 7 * day, "UTC"};
  auto in = inputs_of(week());
  auto doc = build_report("performance_summary", in, p, t0 + 7 * day);
  CHECK_FALSE(doc.empty);
  auto expected = figures_of(in.fills, in.trading);
  const auto& perf = doc.figures["performance"];
  // The JSON format carries the same numbers the dashboard computes.
  auto expected_json = performance_json(expected.overall, expected.by_symbol,
                                        expected.by_tag);
  CHECK(perf == expected_json);
  // 500 + 300 - 200, net of six fees of 1.00.
  CHECK(expected.overall.realized_pnl == doctest::Approx(594));
  const auto* net = find_kpi(doc, "Net PnL");
  REQUIRE(net);
  CHECK(net->value == "594.00");
  // No previous fills: the change is not a number.
  const auto* wins = find_kpi(doc, "Win rate");
  REQUIRE(wins);
  CHECK(wins->value == percent(expected.overall.win_rate));
  // The charts are drawn from the figures: one equity point per fill
  // (plus the start) and one bar per day with fills.
  bool bars = false;
  for (const auto& s : doc.sections)
    for (const auto& c : s.charts)
      if (c.type == chart::kind::bar) {
        bars = true;
        CHECK(c.categories.size() == expected.overall.pnl_by_day.size());
      }
  CHECK(bars);
}

TEST_CASE("risk_assessment's VaR is that of the period's daily returns") {
  report_period p{t0, t0 + 7 * day, "UTC"};
  auto in = inputs_of(week());
  auto doc = build_report("risk_assessment", in, p, t0 + 7 * day);
  auto f = figures_of(in.fills, in.trading);
  auto returns = daily_returns(f.overall.pnl_by_day, in.trading.starting_capital);
  // Monday, Tuesday (quiet), Wednesday, Thursday.
  REQUIRE(returns.size() == 4);
  auto [var, es] = value_at_risk(returns, 0.95);
  CHECK(std::isfinite(var));
  CHECK(doc.figures["var_95"].get<double>() == var);
  CHECK(doc.figures["es_95"].get<double>() == es);
  CHECK(doc.figures["daily_returns"].size() == 4);
  CHECK(doc.figures["daily_returns"][1].get<double>() == 0.0);
}

TEST_CASE("risk_assessment attributes PnL to decisions taken while a model "
          "they used was drifting") {
  report_period p{t0, t0 + 7 * day, "UTC"};
  auto in = inputs_of(week());
  auto alert = [](const char* model, const char* change, int64_t t) {
    return json{{"model_id", model}, {"model_version", "1"},
                {"feature", "spread"}, {"method", "psi"},
                {"change", change},    {"time_ns", t}};
  };
  // The model drifts from Wednesday 00:00 until just before Thursday.
  in.alerts = json::array({alert("lstm", "fired", t0 + 2 * day),
                           alert("lstm", "resolved", t0 + 3 * day - 1)});
  auto doc = build_report("risk_assessment", in, p, t0 + 7 * day);
  const auto& d = doc.figures["drifting_decisions"];
  INFO(d.dump());
  // Wednesday's two ETH fills, net of their 1.0 fees: -1 + 299.
  CHECK(d["fills"] == 2);
  CHECK(d["net_pnl"].get<double>() == doctest::Approx(298));

  // A fill whose decision used only another model is not attributed.
  in.fills[3].hdr.corr = *correlation_id::parse("c-eth-exit");
  in.models_of_fill[in.fills[3].hdr.corr.str()] = {"xgboost"};
  doc = build_report("risk_assessment", in, p, t0 + 7 * day);
  CHECK(doc.figures["drifting_decisions"]["fills"] == 1);
  CHECK(doc.figures["drifting_decisions"]["net_pnl"].get<double>()
        == doctest::Approx(-1));
}
