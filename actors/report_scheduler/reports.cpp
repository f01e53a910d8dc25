#include "actors/report_scheduler/reports.hpp"

#include "actors/correlation_manager/correlation_manager.hpp"
#include "actors/metrics_dashboard/views.hpp"
#include "actors/report_scheduler/schedule.hpp"
#include "actors/tracker/views.hpp"
#include "config/components.hpp"
#include "storage/reader.hpp"
#include "storage/readers/metrics.hpp"
#include "storage/readers/ml.hpp"
#include "storage/readers/traces.hpp"
#include "storage/readers/tracking.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <sstream>

#include <date/date.h>
#include <date/tz.h>

namespace argus::report_scheduler {

using nlohmann::json;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

json number(double x) {
  return std::isfinite(x) ? json(x) : json();
}

template <class T>
caf::expected<T> take(caf::expected<T> x, caf::error& err) {
  if (!x && !err)
    err = x.error();
  return x;
}

double to_double(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : nan;
}

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>()
                                          : std::string{};
}

int64_t integer(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : 0;
}

std::string signed_money(double x) {
  auto s = money(x);
  return std::isfinite(x) && x > 0 ? "+" + s : s;
}

/// "+12.3 % vs previous" of a figure against the previous period's.
std::string change_of(double now, double before) {
  if (!std::isfinite(now) || !std::isfinite(before))
    return "";
  if (before == 0)
    return now == 0 ? "unchanged" : signed_money(now - before) + " vs previous";
  auto rel = (now - before) / std::fabs(before);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%+.1f %% vs previous", rel * 100);
  return buf;
}

int tone_of(double now, double before, bool higher_is_better = true) {
  if (!std::isfinite(now) || !std::isfinite(before) || now == before)
    return 0;
  return (now > before) == higher_is_better ? 1 : -1;
}

std::string count(uint64_t n) {
  auto s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string millis(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns) / 1e6);
  return buf;
}

std::string duration_text(int64_t ns) {
  auto s = ns / 1'000'000'000;
  char buf[48];
  if (s >= 86400)
    std::snprintf(buf, sizeof buf, "%lldd %lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  else if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh %lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  else
    std::snprintf(buf, sizeof buf, "%lldm %llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  return buf;
}

const char* titles(const std::string& type) {
  if (type == "performance_summary")
    return "Performance summary";
  if (type == "model_analysis")
    return "Model analysis";
  if (type == "risk_assessment")
    return "Risk assessment";
  return "Executive summary";
}

// -- trading ------------------------------------------------------------------

trading_options options_from(const trading_options& base, double net_before) {
  auto o = base;
  o.starting_capital = base.starting_capital + net_before;
  return o;
}

/// The period's trading figures and those of the period before, each
/// from the equity its account started with.
std::pair<trading_period, trading_period>
this_and_previous(const report_inputs& in) {
  return {figures_of(in.fills, options_from(in.trading, in.net_before)),
          figures_of(in.previous_fills,
                     options_from(in.trading, in.net_before_previous))};
}

json period_json(const report_period& p) {
  return {{"from_ns", p.from_ns}, {"to_ns", p.to_ns}, {"zone", p.zone}};
}

/// The equity curve as UNIX seconds (a chart's x) and the drawdown below
/// its running peak.
void curves(const trading_figures& f, chart_series& equity,
            chart_series& drawdown) {
  double peak = -std::numeric_limits<double>::infinity();
  for (const auto& p : f.equity_curve) {
    auto x = static_cast<double>(p.time_ns) / 1e9;
    peak = std::max(peak, p.equity);
    equity.x.push_back(x);
    equity.y.push_back(p.equity);
    drawdown.x.push_back(x);
    drawdown.y.push_back(p.equity - peak);
  }
}

table breakdown(const std::string& title, const std::string& key,
                const std::map<std::string, trading_figures>& groups) {
  table t;
  t.title = title;
  t.columns = {key,       "Fills",         "Closed", "Win rate",
               "Net PnL", "Profit factor", "Max drawdown"};
  t.numeric = {false, true, true, true, true, true, true};
  std::vector<std::pair<std::string, const trading_figures*>> rows;
  for (const auto& [k, f] : groups)
    rows.emplace_back(k, &f);
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second->realized_pnl > b.second->realized_pnl;
  });
  for (const auto& [k, f] : rows)
    t.rows.push_back({k.empty() ? "(none)" : k, count(f->fills),
                      count(f->closed_trades), percent(f->win_rate),
                      money(f->realized_pnl), ratio(f->profit_factor),
                      money(f->max_drawdown)});
  return t;
}

json latency_figures(const report_inputs& in) {
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> by_op;
  for (const auto& [c, op, d] : in.spans)
    by_op[{c, op}].push_back(d);
  json arr = json::array();
  for (auto& [key, ds] : by_op) {
    auto s = summarize_latencies(std::move(ds));
    arr.push_back({{"component", key.first},
                   {"operation", key.second},
                   {"count", s.count},
                   {"p50_ns", s.p50_ns},
                   {"p95_ns", s.p95_ns},
                   {"p99_ns", s.p99_ns},
                   {"max_ns", s.max_ns}});
  }
  std::stable_sort(arr.begin(), arr.end(), [](const json& a, const json& b) {
    return a["p99_ns"].get<int64_t>() > b["p99_ns"].get<int64_t>();
  });
  return arr;
}

table latency_table(const json& latencies) {
  table t;
  t.title = "Latency by component and operation (ms)";
  t.columns = {"Component", "Operation", "Spans", "p50", "p95", "p99", "Max"};
  t.numeric = {false, false, true, true, true, true, true};
  t.empty_text = "no spans stored in this period";
  for (const auto& l : latencies)
    t.rows.push_back({text(l, "component"), text(l, "operation"),
                      count(l["count"].get<uint64_t>()),
                      millis(integer(l, "p50_ns")),
                      millis(integer(l, "p95_ns")),
                      millis(integer(l, "p99_ns")),
                      millis(integer(l, "max_ns"))});
  return t;
}

std::string empty_sentence(const report_period& p, const char* what) {
  return std::string{"Nothing to report: no "} + what + " between "
         + local_time(p.from_ns, p.zone) + " and " + local_time(p.to_ns, p.zone)
         + " (" + p.zone + ").";
}

// -- performance_summary ------------------------------------------------------

document performance_summary(const report_inputs& in, const report_period& p,
                             document doc) {
  auto [now, before] = this_and_previous(in);
  const auto& o = now.overall;
  const auto& b = before.overall;
  auto latencies = latency_figures(in);
  doc.empty = in.fills.empty();
  doc.figures["performance"]
    = performance_json(now.overall, now.by_symbol, now.by_tag);
  doc.figures["previous"] = to_json(b, 0);
  doc.figures["latency"] = latencies;

  section head{"Overview", {}, {}, {}, {}};
  if (doc.empty)
    head.paragraphs.push_back(empty_sentence(p, "fills"));
  head.kpis = {
    {"Net PnL", money(o.realized_pnl), change_of(o.realized_pnl, b.realized_pnl),
     tone_of(o.realized_pnl, b.realized_pnl)},
    {"Fills", count(o.fills), change_of(double(o.fills), double(b.fills)), 0},
    {"Win rate", percent(o.win_rate), change_of(o.win_rate, b.win_rate),
     tone_of(o.win_rate, b.win_rate)},
    {"Profit factor", ratio(o.profit_factor), "", 0},
    {"Expectancy", money(o.expectancy), "", 0},
    {"Sharpe", ratio(o.sharpe), change_of(o.sharpe, b.sharpe),
     tone_of(o.sharpe, b.sharpe)},
    {"Sortino", ratio(o.sortino), "", 0},
    {"Calmar", ratio(o.calmar), "", 0},
    {"Max drawdown", money(o.max_drawdown) + " (" + percent(o.max_drawdown_pct)
                       + ")",
     "", tone_of(o.max_drawdown, b.max_drawdown, false)},
    {"Fees", money(o.fees), "", 0},
  };
  doc.sections.push_back(std::move(head));

  section charts{"Equity and drawdown", {}, {}, {}, {}};
  chart eq{chart::kind::line, "Equity", "equity", true, {}, {}, false};
  chart dd{chart::kind::line, "Drawdown", "below peak", true, {}, {}, true};
  chart_series es{"equity", {}, {}};
  chart_series ds{"drawdown", {}, {}};
  curves(o, es, ds);
  eq.series.push_back(std::move(es));
  dd.series.push_back(std::move(ds));
  chart by_day{chart::kind::bar, "Net PnL by day (UTC)", "PnL", false, {}, {},
               false};
  chart_series days{"net PnL", {}, {}};
  for (const auto& [day, pnl] : o.pnl_by_day) {
    by_day.categories.push_back(day.substr(5));
    days.y.push_back(pnl);
  }
  by_day.series.push_back(std::move(days));
  charts.charts = {std::move(eq), std::move(dd), std::move(by_day)};
  doc.sections.push_back(std::move(charts));

  section groups{"By symbol and strategy", {}, {}, {}, {}};
  groups.tables.push_back(breakdown("By symbol", "Symbol", now.by_symbol));
  groups.tables.push_back(breakdown("By strategy tag", "Strategy", now.by_tag));
  doc.sections.push_back(std::move(groups));

  section compare{"Against the previous period", {}, {}, {}, {}};
  table c;
  c.title = "This period against the one before";
  c.columns = {"Figure", "This period", "Previous", "Change"};
  c.numeric = {false, true, true, false};
  auto row = [&](const char* name, double x, double y, std::string (*f)(double)) {
    c.rows.push_back({name, f(x), f(y), change_of(x, y)});
  };
  row("Net PnL", o.realized_pnl, b.realized_pnl, money);
  row("Win rate", o.win_rate, b.win_rate, percent);
  row("Profit factor", o.profit_factor, b.profit_factor, ratio);
  row("Expectancy", o.expectancy, b.expectancy, money);
  row("Sharpe", o.sharpe, b.sharpe, ratio);
  row("Max drawdown", o.max_drawdown, b.max_drawdown, money);
  c.rows.push_back({"Fills", count(o.fills), count(b.fills),
                    change_of(double(o.fills), double(b.fills))});
  compare.tables.push_back(std::move(c));
  compare.tables.push_back(latency_table(latencies));
  doc.sections.push_back(std::move(compare));
  return doc;
}

// -- model_analysis -----------------------------------------------------------

std::string model_key(const json& row) {
  return text(row, "model_id") + " " + text(row, "model_version");
}

/// The first numeric metric of a performance row (its headline figure).
std::pair<std::string, double> headline_metric(const json& metrics) {
  if (metrics.is_object())
    for (const auto& [k, v] : metrics.items())
      if (v.is_number())
        return {k, v.get<double>()};
  return {"", nan};
}

document model_analysis(const report_inputs& in, const report_period& p,
                        document doc) {
  doc.empty = in.alerts.empty() && in.performance.empty()
              && in.drift.empty() && in.retrains.empty()
              && in.feature_scores.empty();
  // Per model version: checks, alerts fired, open at the end, retrains.
  struct model_row {
    uint64_t checks = 0;
    uint64_t fired = 0;
    uint64_t escalated = 0;
    uint64_t resolved = 0;
    uint64_t open = 0;
    uint64_t retrains = 0;
    double degradation = nan;
    std::string metric;
    double metric_value = nan;
  };
  std::map<std::string, model_row> models;
  for (const auto& r : in.performance) {
    auto& m = models[model_key(r)];
    ++m.checks;
    m.degradation = to_double(r, "degradation");
    auto [name, value] = headline_metric(r.value("metrics", json::object()));
    m.metric = name;
    m.metric_value = value;
  }
  for (const auto& a : in.alerts) {
    auto& m = models[model_key(a)];
    auto change = text(a, "change");
    m.fired += change == "fired";
    m.escalated += change == "escalated";
    m.resolved += change == "resolved";
  }
  for (const auto& a : in.open_at_end)
    ++models[model_key(a)].open;
  for (const auto& r : in.retrains)
    ++models[model_key(r)].retrains;
  for (const auto& d : in.drift)
    models[model_key(d)];

  json models_json = json::object();
  table mt;
  mt.title = "Models";
  mt.columns = {"Model",   "Checks",   "Latest metric", "Degradation",
                "Alerts",  "Resolved", "Open at end",   "Retraining"};
  mt.numeric = {false, true, false, true, true, true, true, true};
  for (const auto& [k, m] : models) {
    models_json[k] = {{"performance_checks", m.checks},
                      {"alerts_fired", m.fired},
                      {"alerts_escalated", m.escalated},
                      {"alerts_resolved", m.resolved},
                      {"alerts_open_at_end", m.open},
                      {"retrain_requests", m.retrains},
                      {"latest_degradation", number(m.degradation)},
                      {"latest_metric", m.metric},
                      {"latest_metric_value", number(m.metric_value)}};
    mt.rows.push_back({k, count(m.checks),
                       m.metric.empty() ? "n/a"
                                        : m.metric + " " + ratio(m.metric_value),
                       percent(m.degradation), count(m.fired + m.escalated),
                       count(m.resolved), count(m.open), count(m.retrains)});
  }
  doc.figures["models"] = models_json;
  doc.figures["alerts"] = in.alerts;
  doc.figures["open_alerts"] = in.open_at_end;
  doc.figures["feature_drift"] = in.drift;
  doc.figures["retraining"] = json::array();

  section head{"Models", {}, {}, {}, {}};
  if (doc.empty)
    head.paragraphs.push_back(empty_sentence(p, "model checks or alerts"));
  uint64_t fired = 0;
  for (const auto& [k, m] : models)
    fired += m.fired;
  head.kpis = {{"Models", count(models.size()), "", 0},
               {"Alerts fired", count(fired), "", fired ? -1 : 0},
               {"Open alerts", count(in.open_at_end.size()), "",
                in.open_at_end.empty() ? 0 : -1},
               {"Retraining requests", count(in.retrains.size()), "", 0}};
  head.tables.push_back(std::move(mt));
  doc.sections.push_back(std::move(head));

  // The course of each model's headline metric against labels.
  section perf{"Performance against labels", {}, {}, {}, {}};
  chart pc{chart::kind::line, "Headline metric per model", "", true, {}, {},
           false};
  std::map<std::string, chart_series> lines;
  for (const auto& r : in.performance) {
    auto [name, value] = headline_metric(r.value("metrics", json::object()));
    if (name.empty() || !std::isfinite(value))
      continue;
    auto& s = lines[model_key(r) + " " + name];
    s.name = model_key(r) + " " + name;
    s.x.push_back(static_cast<double>(integer(r, "time_ns")) / 1e9);
    s.y.push_back(value);
  }
  for (auto& [k, s] : lines)
    pc.series.push_back(std::move(s));
  if (!pc.series.empty())
    perf.charts.push_back(std::move(pc));
  else
    perf.paragraphs.push_back("No performance checks in this period.");
  doc.sections.push_back(std::move(perf));

  section drift{"Drift", {}, {}, {}, {}};
  table at;
  at.title = "Drift alerts and their course";
  at.columns = {"Time", "Model", "Feature", "Method", "Change", "Severity",
                "Score"};
  at.numeric = {false, false, false, false, false, false, true};
  for (const auto& a : in.alerts)
    at.rows.push_back({local_time(integer(a, "time_ns"), p.zone), model_key(a),
                       text(a, "feature"), text(a, "method"),
                       text(a, "change"), text(a, "severity"),
                       ratio(to_double(a, "score"))});
  drift.tables.push_back(std::move(at));
  table ft;
  ft.title = "Drift score per feature";
  ft.columns = {"Model", "Feature", "Checks", "Drifted", "Mean", "Max",
                "Latest"};
  ft.numeric = {false, false, true, true, true, true, true};
  for (const auto& d : in.drift)
    ft.rows.push_back({model_key(d), text(d, "feature"),
                       count(static_cast<uint64_t>(integer(d, "checks"))),
                       count(static_cast<uint64_t>(integer(d, "drifted"))),
                       ratio(to_double(d, "mean_score")),
                       ratio(to_double(d, "max_score")),
                       ratio(to_double(d, "last_score"))});
  drift.tables.push_back(std::move(ft));
  doc.sections.push_back(std::move(drift));

  // Importance: rank, stability and rank changes, as `argusctl tracking
  // features` computes them (the tracker's code), over the period.
  auto features = replay_feature_scores(in.feature_scores, p.to_ns);
  doc.figures["feature_importance"] = features_json(features, "", 0, 0);
  section imp{"Feature importance", {}, {}, {}, {}};
  table it;
  it.title = "Importance, stability and rank";
  it.columns = {"Model", "Rank", "Feature", "Importance", "Stability",
                "Rank changes"};
  it.numeric = {false, true, false, true, true, true};
  it.empty_text = "no feature importances stored in this period";
  for (const auto& [model, records] : features.models())
    for (const auto& [name, rec] : features.ranked(model, 0))
      it.rows.push_back(
        {model, rec->latest.rank ? std::to_string(rec->latest.rank) : "-",
         name, ratio(rec->latest.importance), ratio(rec->latest.stability),
         count(rec->rank_changes)});
  imp.tables.push_back(std::move(it));
  table ct;
  ct.title = "Rank changes";
  ct.columns = {"Time", "Model", "Feature", "From", "To"};
  ct.numeric = {false, false, false, true, true};
  ct.empty_text = "no feature changed rank in this period";
  for (const auto& c : features.recent_changes())
    if (c.from_rank != 0) // a feature's first rank is not a change of rank
      ct.rows.push_back({local_time(c.time_ns, p.zone), c.model_id, c.feature,
                         std::to_string(c.from_rank),
                         std::to_string(c.to_rank)});
  imp.tables.push_back(std::move(ct));
  doc.sections.push_back(std::move(imp));

  // Retraining requests and what followed: the first newer version of the
  // model seen checked after the request.
  section retrain{"Retraining", {}, {}, {}, {}};
  table rt;
  rt.title = "Retraining requests and what followed";
  rt.columns = {"Time", "Model", "Trigger", "Reason", "Followed by"};
  rt.numeric = {false, false, false, false, false};
  for (const auto& r : in.retrains) {
    auto t = integer(r, "time_ns");
    std::string followed = "no new version yet";
    for (const auto& x : in.performance)
      if (text(x, "model_id") == text(r, "model_id")
          && text(x, "model_version") != text(r, "model_version")
          && integer(x, "time_ns") > t) {
        followed = "version " + text(x, "model_version") + " from "
                   + local_time(integer(x, "time_ns"), p.zone);
        break;
      }
    doc.figures["retraining"].push_back(
      {{"model_id", text(r, "model_id")},
       {"model_version", text(r, "model_version")},
       {"trigger", text(r, "trigger")},
       {"reason", text(r, "evidence")},
       {"time_ns", t},
       {"followed_by", followed}});
    rt.rows.push_back({local_time(t, p.zone), model_key(r), text(r, "trigger"),
                       text(r, "evidence"), followed});
  }
  retrain.tables.push_back(std::move(rt));
  doc.sections.push_back(std::move(retrain));
  return doc;
}

// -- risk_assessment ----------------------------------------------------------

document risk_assessment(const report_inputs& in, const report_period& p,
                         document doc) {
  auto opts = options_from(in.trading, in.net_before);
  auto now = figures_of(in.fills, opts);
  const auto& o = now.overall;
  doc.empty = in.fills.empty();
  auto returns = daily_returns(o.pnl_by_day, opts.starting_capital);
  auto [var95, es95] = value_at_risk(returns, 0.95);
  auto [var99, es99] = value_at_risk(returns, 0.99);
  auto equity_end = opts.starting_capital + o.realized_pnl;

  // Exposure and concentration by symbol.
  double gross = 0;
  for (const auto& [sym, f] : now.by_symbol)
    gross += f.exposure;
  json exposure = json::object();
  table et;
  et.title = "Exposure and concentration by symbol";
  et.columns = {"Symbol", "Exposure", "Share", "Unrealised PnL", "Net PnL"};
  et.numeric = {false, true, true, true, true};
  for (const auto& [sym, f] : now.by_symbol) {
    auto share = gross > 0 ? f.exposure / gross : nan;
    exposure[sym] = {{"exposure", number(f.exposure)},
                     {"share", number(share)},
                     {"unrealized_pnl", number(f.unrealized_pnl)}};
    et.rows.push_back({sym, money(f.exposure), percent(share),
                       money(f.unrealized_pnl), money(f.realized_pnl)});
  }

  // Performance by regime.
  struct regime_row {
    uint64_t fills = 0;
    uint64_t closed = 0;
    uint64_t wins = 0;
    double pnl = 0;
  };
  std::map<std::string, regime_row> regimes;
  {
    size_t next = 0;
    auto current = in.regime_at_start;
    for (const auto& f : in.fills) {
      while (next < in.regimes.size() && in.regimes[next].first <= f.time_ns)
        current = in.regimes[next++].second;
      auto& r = regimes[current.empty() ? "(unknown)" : current];
      ++r.fills;
      auto net = f.realized_pnl - f.fee;
      r.pnl += net;
      if (f.realized_pnl != 0 || !f.exit_reason.empty()) {
        ++r.closed;
        r.wins += net > 0;
      }
    }
  }
  json regimes_json = json::object();
  table rt;
  rt.title = "Performance by market regime";
  rt.columns = {"Regime", "Fills", "Closed", "Win rate", "Net PnL"};
  rt.numeric = {false, true, true, true, true};
  for (const auto& [name, r] : regimes) {
    auto win_rate = r.closed ? double(r.wins) / double(r.closed) : nan;
    regimes_json[name] = {{"fills", r.fills},
                          {"closed_trades", r.closed},
                          {"win_rate", number(win_rate)},
                          {"net_pnl", r.pnl}};
    rt.rows.push_back({name, count(r.fills), count(r.closed), percent(win_rate),
                       money(r.pnl)});
  }

  // PnL of decisions taken while a model they used was drifting: walk the
  // alert changes and the fills in time order.
  std::map<std::tuple<std::string, std::string, std::string, std::string>,
           std::string>
    open; // alert -> model id
  auto alert_key = [](const json& a) {
    return std::tuple{text(a, "model_id"), text(a, "model_version"),
                      text(a, "feature"), text(a, "method")};
  };
  for (const auto& a : in.open_at_start)
    open[alert_key(a)] = text(a, "model_id");
  double drift_pnl = 0;
  uint64_t drift_fills = 0;
  std::map<std::string, double> drift_by_model;
  size_t next_alert = 0;
  for (const auto& f : in.fills) {
    while (next_alert < in.alerts.size()
           && integer(in.alerts[next_alert], "time_ns") <= f.time_ns) {
      const auto& a = in.alerts[next_alert++];
      if (text(a, "change") == "resolved")
        open.erase(alert_key(a));
      else
        open[alert_key(a)] = text(a, "model_id");
    }
    if (open.empty())
      continue;
    std::set<std::string> drifting;
    for (const auto& [k, model] : open)
      drifting.insert(model);
    auto used = in.models_of_fill.find(f.hdr.corr.str());
    std::set<std::string> hit;
    if (used == in.models_of_fill.end())
      hit = drifting;
    else
      for (const auto& m : used->second)
        if (drifting.count(m))
          hit.insert(m);
    if (hit.empty())
      continue;
    auto net = f.realized_pnl - f.fee;
    drift_pnl += net;
    ++drift_fills;
    for (const auto& m : hit)
      drift_by_model[m] += net;
  }
  table dt;
  dt.title = "PnL of decisions taken while a model they used was drifting";
  dt.columns = {"Model", "Net PnL"};
  dt.numeric = {false, true};
  dt.empty_text = "no decision was taken while a model it used drifted";
  for (const auto& [m, pnl] : drift_by_model)
    dt.rows.push_back({m, money(pnl)});

  doc.figures["max_drawdown"] = number(o.max_drawdown);
  doc.figures["max_drawdown_pct"] = number(o.max_drawdown_pct);
  doc.figures["max_drawdown_duration_s"]
    = static_cast<double>(o.max_drawdown_duration_ns) / 1e9;
  doc.figures["current_drawdown"] = number(o.current_drawdown);
  doc.figures["gross_exposure"] = number(gross);
  doc.figures["exposure"] = exposure;
  doc.figures["daily_returns"] = returns;
  doc.figures["var_95"] = number(var95);
  doc.figures["es_95"] = number(es95);
  doc.figures["var_99"] = number(var99);
  doc.figures["es_99"] = number(es99);
  doc.figures["var_95_amount"] = number(var95 * equity_end);
  doc.figures["regimes"] = regimes_json;
  doc.figures["drifting_decisions"]
    = {{"fills", drift_fills},
       {"net_pnl", drift_pnl},
       {"share_of_net_pnl",
        number(o.realized_pnl != 0 ? drift_pnl / o.realized_pnl : nan)},
       {"by_model", drift_by_model}};

  section head{"Risk", {}, {}, {}, {}};
  if (doc.empty)
    head.paragraphs.push_back(empty_sentence(p, "fills"));
  head.kpis = {
    {"Max drawdown", money(o.max_drawdown), percent(o.max_drawdown_pct), 0},
    {"Drawdown duration", duration_text(o.max_drawdown_duration_ns), "", 0},
    {"Gross exposure", money(gross), "", 0},
    {"VaR 95 % (1 day)", percent(var95), money(var95 * equity_end), 0},
    {"ES 95 % (1 day)", percent(es95), "", 0},
    {"VaR 99 % (1 day)", percent(var99), "", 0},
    {"PnL while drifting", money(drift_pnl), count(drift_fills) + " fills",
     drift_pnl < 0 ? -1 : 0},
  };
  head.paragraphs.push_back(
    "VaR and expected shortfall are historical, over the " + count(returns.size())
    + " daily returns of the period; a figure on fewer than 20 days is "
      "indicative only.");
  doc.sections.push_back(std::move(head));

  section charts{"Drawdown", {}, {}, {}, {}};
  chart dd{chart::kind::line, "Drawdown below the running peak", "", true, {},
           {}, true};
  chart_series es{"equity", {}, {}};
  chart_series ds{"drawdown", {}, {}};
  curves(o, es, ds);
  dd.series.push_back(std::move(ds));
  charts.charts.push_back(std::move(dd));
  doc.sections.push_back(std::move(charts));

  section tables{"Exposure, regimes and drift", {}, {}, {}, {}};
  tables.tables = {std::move(et), std::move(rt), std::move(dt)};
  doc.sections.push_back(std::move(tables));
  return doc;
}

// -- executive_summary --------------------------------------------------------

document executive_summary(const report_inputs& in, const report_period& p,
                           document doc) {
  auto [now, before] = this_and_previous(in);
  const auto& o = now.overall;
  const auto& b = before.overall;
  doc.empty = in.fills.empty() && in.alerts.empty();
  doc.figures["kpis"] = {{"net_pnl", number(o.realized_pnl)},
                         {"previous_net_pnl", number(b.realized_pnl)},
                         {"fills", o.fills},
                         {"win_rate", number(o.win_rate)},
                         {"sharpe", number(o.sharpe)},
                         {"max_drawdown", number(o.max_drawdown)},
                         {"open_alerts", in.open_at_end.size()}};

  section head{"At a glance", {}, {}, {}, {}};
  if (doc.empty)
    head.paragraphs.push_back(empty_sentence(p, "fills or alerts"));
  head.kpis = {
    {"Net PnL", money(o.realized_pnl), change_of(o.realized_pnl, b.realized_pnl),
     tone_of(o.realized_pnl, b.realized_pnl)},
    {"Win rate", percent(o.win_rate), change_of(o.win_rate, b.win_rate),
     tone_of(o.win_rate, b.win_rate)},
    {"Sharpe", ratio(o.sharpe), change_of(o.sharpe, b.sharpe),
     tone_of(o.sharpe, b.sharpe)},
    {"Max drawdown", money(o.max_drawdown),
     change_of(o.max_drawdown, b.max_drawdown),
     tone_of(o.max_drawdown, b.max_drawdown, false)},
    {"Fills", count(o.fills), change_of(double(o.fills), double(b.fills)), 0},
    {"Open alerts", count(in.open_at_end.size()), "",
     in.open_at_end.empty() ? 0 : -1},
  };
  doc.sections.push_back(std::move(head));

  // Incidents: component restarts, drops and storage errors.
  section inc{"Incidents", {}, {}, {}, {}};
  table it;
  it.title = "Components";
  it.columns = {"Component", "State", "Restarts", "Problem"};
  it.numeric = {false, false, true, false};
  it.empty_text = "no restarts, drops or storage errors";
  json incidents = json::array();
  std::vector<std::string> decisions;
  if (!in.status)
    inc.paragraphs.push_back(
      "Built offline: the engine's live counters are not part of this "
      "report.");
  else
    for (const auto& c : in.status->components) {
      std::string problem;
      for (const auto& [name, value] : c.counters)
        if (value > 0
            && (name.find("dropped") != std::string::npos
                || name.find("failed") != std::string::npos
                || name.find("error") != std::string::npos))
          problem += (problem.empty() ? "" : ", ") + name + " "
                     + count(value);
      bool down = c.state != component_state::running;
      if (c.restarts == 0 && problem.empty() && !down)
        continue;
      incidents.push_back({{"component", c.id},
                           {"state", to_string(c.state)},
                           {"restarts", c.restarts},
                           {"problem", problem},
                           {"last_error", c.last_error}});
      it.rows.push_back({c.id, to_string(c.state), count(c.restarts),
                         problem.empty() ? c.last_error : problem});
      if (down)
        decisions.push_back("Component " + c.id + " is "
                            + to_string(c.state) + ": " + c.last_error);
    }
  inc.tables.push_back(std::move(it));

  table at;
  at.title = "Open alerts";
  at.columns = {"Since", "Model", "Feature", "Severity"};
  at.numeric = {false, false, false, false};
  for (const auto& a : in.open_at_end) {
    at.rows.push_back({local_time(integer(a, "time_ns"), p.zone), model_key(a),
                       text(a, "feature"), text(a, "severity")});
    auto sev = text(a, "severity");
    if (sev == "high" || sev == "critical")
      decisions.push_back("Drift on " + model_key(a) + " (" + text(a, "feature")
                          + ", " + sev + "): retrain or retire the model?");
  }
  inc.tables.push_back(std::move(at));
  for (const auto& r : in.retrains)
    decisions.push_back("Retraining requested for " + model_key(r) + " ("
                        + text(r, "trigger") + ")");
  if (std::isfinite(o.max_drawdown_pct) && o.max_drawdown_pct > 0.1)
    decisions.push_back("Drawdown reached " + percent(o.max_drawdown_pct)
                        + " of the peak: review position sizes?");
  doc.sections.push_back(std::move(inc));

  section need{"Needs a decision", {}, {}, {}, {}};
  if (decisions.empty())
    need.paragraphs.push_back("Nothing needs a decision.");
  for (const auto& d : decisions)
    need.paragraphs.push_back("• " + d);
  doc.figures["incidents"] = incidents;
  doc.figures["decisions"] = decisions;
  doc.sections.push_back(std::move(need));
  return doc;
}

} // namespace

bool known_report_type(const std::string& type) {
  for (const char* t : config::report_type_names)
    if (type == t)
      return true;
  return false;
}

std::string money(double x) {
  if (!std::isfinite(x))
    return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", std::fabs(x));
  std::string s = buf;
  auto dot = s.find('.');
  for (int i = static_cast<int>(dot) - 3; i > 0; i -= 3)
    s.insert(static_cast<size_t>(i), ",");
  return (x < 0 && s != "0.00" ? "-" : "") + s;
}

std::string percent(double fraction) {
  if (!std::isfinite(fraction))
    return "n/a";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f %%", fraction * 100);
  std::string s = buf;
  return s == "-0.00 %" ? "0.00 %" : s;
}

std::string ratio(double x) {
  if (!std::isfinite(x))
    return "n/a";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", x);
  return buf;
}

std::string local_time(int64_t ns, const std::string& zone) {
  auto t = to_sys(ns);
  std::string error;
  const auto* z = find_zone(zone, error);
  if (!z)
    return date::format("%Y-%m-%d %H:%M UTC", t);
  return date::format("%Y-%m-%d %H:%M", date::make_zoned(z, t));
}

std::vector<double> daily_returns(const std::map<std::string, double>& by_day,
                                  double start_equity) {
  std::vector<double> out;
  if (by_day.empty())
    return out;
  // The days are `YYYY-MM-DD` (trading_performance.hpp).
  auto parse = [](const std::string& s) {
    int y = 1970;
    unsigned m = 1;
    unsigned d = 1;
    std::sscanf(s.c_str(), "%d-%u-%u", &y, &m, &d);
    return date::sys_days{date::year{y} / m / d};
  };
  auto first = parse(by_day.begin()->first);
  auto last = parse(by_day.rbegin()->first);
  double equity = start_equity;
  for (auto d = first; d <= last; d += date::days{1}) {
    auto it = by_day.find(date::format("%F", d));
    double pnl = it == by_day.end() ? 0.0 : it->second;
    out.push_back(equity != 0 ? pnl / equity : nan);
    equity += pnl;
  }
  return out;
}

std::pair<double, double> value_at_risk(std::vector<double> returns, double q) {
  returns.erase(std::remove_if(returns.begin(), returns.end(),
                               [](double x) {
                                 return !std::isfinite(x);
                               }),
                returns.end());
  if (returns.empty())
    return {nan, nan};
  std::sort(returns.begin(), returns.end());
  // numpy's linear quantile: position (n - 1) * p between neighbours.
  auto pos = (1.0 - q) * static_cast<double>(returns.size() - 1);
  auto lo = static_cast<size_t>(std::floor(pos));
  auto hi = std::min(lo + 1, returns.size() - 1);
  auto quantile
    = returns[lo] + (returns[hi] - returns[lo]) * (pos - static_cast<double>(lo));
  double sum = 0;
  size_t n = 0;
  for (auto r : returns)
    if (r <= quantile) {
      sum += r;
      ++n;
    }
  return {-quantile, n ? -sum / static_cast<double>(n) : nan};
}

caf::expected<nlohmann::json>
stored_period_performance(storage::db_reader& r, const trading_options& opts,
                          int64_t from_ns, int64_t to_ns) {
  auto fills = storage::trades_between(r, from_ns, to_ns);
  if (!fills)
    return fills.error();
  auto net = storage::net_pnl_before(r, from_ns);
  if (!net)
    return net.error();
  auto f = figures_of(*fills, options_from(opts, *net));
  auto j = performance_json(f.overall, f.by_symbol, f.by_tag);
  j["period"] = {{"from_ns", from_ns},
                 {"to_ns", to_ns},
                 {"starting_equity", opts.starting_capital + *net}};
  return j;
}

caf::expected<report_inputs> load_inputs(storage::db_reader& r,
                                         const std::string& type,
                                         const report_period& period,
                                         const trading_options& trading) {
  report_inputs in;
  in.trading = trading;
  caf::error err;
  auto from = period.from_ns;
  auto to = period.to_ns;
  auto length = to - from;
  bool trading_report = type != "model_analysis";
  bool ml_report = type != "performance_summary";
  if (trading_report) {
    if (auto x = take(storage::trades_between(r, from, to), err))
      in.fills = std::move(*x);
    if (auto x = take(storage::net_pnl_before(r, from), err))
      in.net_before = *x;
    if (type != "risk_assessment") {
      if (auto x = take(storage::trades_between(r, from - length, from), err))
        in.previous_fills = std::move(*x);
      if (auto x = take(storage::net_pnl_before(r, from - length), err))
        in.net_before_previous = *x;
    }
  }
  if (type == "performance_summary") {
    if (auto x = take(storage::span_durations(r, from, to), err))
      in.spans = std::move(*x);
  }
  if (type == "risk_assessment") {
    if (auto x = take(storage::regime_at(r, from), err))
      in.regime_at_start = std::move(*x);
    if (auto x = take(storage::regimes(r, from), err))
      for (auto& [t, name] : *x)
        if (t < to)
          in.regimes.emplace_back(t, std::move(name));
    if (auto x = take(storage::models_behind_fills(r, from, to), err))
      in.models_of_fill = std::move(*x);
  }
  if (ml_report) {
    if (auto x = take(storage::ml_alerts_between(r, from, to), err))
      in.alerts = std::move(*x);
    if (auto x = take(storage::ml_open_alerts(r, from), err))
      in.open_at_start = std::move(*x);
    if (auto x = take(storage::ml_open_alerts(r, to), err))
      in.open_at_end = std::move(*x);
    if (auto x = take(storage::retrain_requests_between(r, from, to), err))
      in.retrains = std::move(*x);
  }
  if (type == "model_analysis") {
    if (auto x = take(storage::ml_performance_between(r, from, to), err))
      in.performance = std::move(*x);
    if (auto x = take(storage::drift_scores_between(r, from, to), err))
      in.drift = std::move(*x);
    if (auto x = take(storage::feature_scores(r, "", from), err))
      in.feature_scores = std::move(*x);
  }
  if (err)
    return err;
  return in;
}

document build_report(const std::string& type, const report_inputs& in,
                      const report_period& period, int64_t now_ns) {
  document doc;
  doc.type = type;
  doc.title = titles(type);
  doc.from_ns = period.from_ns;
  doc.to_ns = period.to_ns;
  doc.generated_at_ns = now_ns;
  doc.period_text = local_time(period.from_ns, period.zone) + " – "
                    + local_time(period.to_ns, period.zone) + " ("
                    + period.zone + ")";
  doc.figures = {{"type", type},
                 {"period", period_json(period)},
                 {"generated_at_ns", now_ns}};
  if (type == "performance_summary")
    return performance_summary(in, period, std::move(doc));
  if (type == "model_analysis")
    return model_analysis(in, period, std::move(doc));
  if (type == "risk_assessment")
    return risk_assessment(in, period, std::move(doc));
  return executive_summary(in, period, std::move(doc));
}

} // namespace argus::report_scheduler
