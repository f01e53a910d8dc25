#include "actors/metrics_dashboard/views.hpp"

#include <cmath>

namespace argus {

namespace {

nlohmann::json number(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json();
}

} // namespace

nlohmann::json labels_json(const metric_labels& labels) {
  auto j = nlohmann::json::object();
  for (const auto& [k, v] : labels)
    j[k] = v;
  return j;
}

nlohmann::json to_json(const metric_point& p) {
  nlohmann::json j{{"window", p.window},
                   {"start_ns", p.start_ns},
                   {"count", p.count},
                   {"sum", number(p.sum)},
                   {"min", number(p.min)},
                   {"max", number(p.max)},
                   {"mean", p.count
                              ? number(p.sum / static_cast<double>(p.count))
                              : nlohmann::json(0.0)},
                   {"last", number(p.last)}};
  static constexpr const char* names[] = {"p50", "p90", "p95", "p99"};
  for (size_t i = 0; i < p.quantiles.size() && i < 4; ++i)
    j[names[i]] = number(p.quantiles[i]);
  return j;
}

nlohmann::json to_json(const trading_figures& f, size_t curve_points) {
  nlohmann::json curve = nlohmann::json::array();
  const auto& c = f.equity_curve;
  if (curve_points > 0 && !c.empty()) {
    auto step = (c.size() + curve_points - 1) / curve_points;
    size_t i = 0;
    for (; i < c.size(); i += step)
      curve.push_back({c[i].time_ns, c[i].equity});
    if (i - step != c.size() - 1)
      curve.push_back({c.back().time_ns, c.back().equity});
  }
  return {
    {"fills", f.fills},
    {"closed_trades", f.closed_trades},
    {"wins", f.wins},
    {"losses", f.losses},
    {"realized_pnl", number(f.realized_pnl)},
    {"unrealized_pnl", number(f.unrealized_pnl)},
    {"total_pnl", number(f.total_pnl)},
    {"fees", number(f.fees)},
    {"win_rate", number(f.win_rate)},
    {"profit_factor", number(f.profit_factor)},
    {"expectancy", number(f.expectancy)},
    {"average_win", number(f.average_win)},
    {"average_loss", number(f.average_loss)},
    {"sharpe", number(f.sharpe)},
    {"sortino", number(f.sortino)},
    {"calmar", number(f.calmar)},
    {"cagr", number(f.cagr)},
    {"max_drawdown", number(f.max_drawdown)},
    {"max_drawdown_pct", number(f.max_drawdown_pct)},
    {"max_drawdown_duration_s",
     static_cast<double>(f.max_drawdown_duration_ns) / 1e9},
    {"current_drawdown", number(f.current_drawdown)},
    {"current_drawdown_pct", number(f.current_drawdown_pct)},
    {"exposure", number(f.exposure)},
    {"days", f.days},
    {"pnl_by_day", f.pnl_by_day},
    {"pnl_by_week", f.pnl_by_week},
    {"pnl_by_month", f.pnl_by_month},
    {"equity_curve", curve},
  };
}

nlohmann::json
performance_json(const trading_figures& overall,
                 const std::map<std::string, trading_figures>& by_symbol,
                 const std::map<std::string, trading_figures>& by_tag) {
  nlohmann::json syms = nlohmann::json::object();
  for (const auto& [k, f] : by_symbol)
    syms[k] = to_json(f, 0);
  nlohmann::json tags = nlohmann::json::object();
  for (const auto& [k, f] : by_tag)
    tags[k] = to_json(f, 0);
  return {
    {"overall", to_json(overall)}, {"by_symbol", syms}, {"by_strategy", tags}};
}

nlohmann::json to_json(const health_sample& s) {
  return {
    {"time_ns", s.time_ns},
    {"process",
     {{"cpu_percent", number(s.process_cpu_percent)},
      {"rss_bytes", s.process_rss_bytes},
      {"threads", s.process_threads},
      {"open_fds", s.process_open_fds}}},
    {"host",
     {{"load1", s.load.one},
      {"load5", s.load.five},
      {"load15", s.load.fifteen},
      {"memory_available_bytes", s.memory_available_bytes},
      {"memory_total_bytes", s.memory_total_bytes}}},
    {"disk",
     {{"free_bytes", s.disk_free_bytes}, {"total_bytes", s.disk_total_bytes}}},
    {"missing", s.missing},
  };
}

} // namespace argus
