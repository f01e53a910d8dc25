#pragma once

// Trading performance from the bot's fills: the equity curve, PnL
// by day, week and month, risk-adjusted ratios, drawdowns and trade
// statistics, overall and broken down by symbol and by strategy tag.
//
// Definitions (the tests recompute each of them independently):
//   net PnL of a fill   realized_pnl - fee (an opening fill only costs its
//                       fee).
//   equity curve        E0 = starting capital at the first fill, then
//                       E_i = E_(i-1) + net_i after each fill (realised
//                       equity; open positions are valued separately as
//                       unrealised PnL).
//   closed trade        a fill that books PnL (realized_pnl != 0) or names an
//                       exit reason; its result is its net PnL. Wins have
//                       result > 0, losses < 0.
//   win rate            wins / closed trades.
//   profit factor       sum of wins / |sum of losses| (NaN without losses).
//   expectancy          mean result per closed trade.
//   average win / loss  sum of wins / wins, sum of losses / losses.
//   daily returns       one per UTC calendar day from the first fill's day to
//                       the last fill's day, days without fills included as
//                       0: r_d = net PnL of day d / equity at the start of d.
//   Sharpe              mean(r) / stdev(r) * sqrt(P), stdev with n - 1, risk-
//                       free rate 0, P = periods per year (365 by default:
//                       crypto markets trade every day; 252 for exchanges).
//   Sortino             mean(r) / sqrt(sum(min(r, 0)^2) / n) * sqrt(P).
//   CAGR                (E_n / E0)^(P / n) - 1 over the n daily returns.
//   Calmar              CAGR / max drawdown (as a fraction of the peak).
//   drawdown            peak-to-date equity minus equity, absolute and as a
//                       fraction of the peak; its duration runs from the
//                       peak to the first fill that regains it (or to the
//                       last fill while not regained).
//   exposure            sum over symbols of |position| * last fill price;
//                       positions are buys minus sells.
//   unrealised PnL      position * (last price - average entry price).
// Ratios that are undefined (fewer than two days, no variance, no downside,
// no drawdown) are NaN, rendered as null.

#include "messages/metrics.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace argus {

struct trading_options {
  double starting_capital = 10000.0;
  double periods_per_year = 365.0;
  /// Fills held in memory to put late ones in time order; beyond it the
  /// oldest are folded into the running figures.
  size_t max_trades = 100000;
  /// How late a fill may arrive and still take its place in time order.
  int64_t reorder_window_ns = 60'000'000'000;
  /// Points of the overall equity curve kept (evenly spaced by fill count).
  size_t curve_points = 4096;
};

/// One point of the equity curve.
struct equity_point {
  int64_t time_ns = 0;
  double equity = 0;
};

/// The figures of one set of fills (all of them, or one symbol's, or one
/// strategy tag's).
struct trading_figures {
  uint64_t fills = 0;
  uint64_t closed_trades = 0;
  uint64_t wins = 0;
  uint64_t losses = 0;
  double realized_pnl = 0; ///< net of fees
  double fees = 0;
  double unrealized_pnl = 0;
  double total_pnl = 0;
  double win_rate = 0;
  double profit_factor = 0;
  double expectancy = 0;
  double average_win = 0;
  double average_loss = 0;
  double max_drawdown = 0;
  double max_drawdown_pct = 0;
  int64_t max_drawdown_duration_ns = 0;
  double current_drawdown = 0;
  double current_drawdown_pct = 0;
  double sharpe = 0;
  double sortino = 0;
  double calmar = 0;
  double cagr = 0;
  double exposure = 0;
  size_t days = 0;
  std::map<std::string, double> pnl_by_day;   ///< "2026-11-22"
  std::map<std::string, double> pnl_by_week;  ///< ISO week, "2026-W47"
  std::map<std::string, double> pnl_by_month; ///< "2026-11"
  std::vector<equity_point> equity_curve;
};

/// UTC calendar keys of a time (exposed for tests).
std::string utc_day(int64_t time_ns);
std::string iso_week(int64_t time_ns);
std::string utc_month(int64_t time_ns);

/// The running figures of one set of fills: everything `trading_figures`
/// needs, folded fill by fill in time order, in memory that grows with the
/// days traded and the symbols held, not with the fills.
class trading_account {
public:
  /// `curve_points` = 0 keeps no equity curve.
  explicit trading_account(double starting_capital = 10000.0,
                           size_t curve_points = 0);

  /// Folds one fill in. A fill older than the newest one folded counts for
  /// the sums and its day as it is, and for the equity curve and drawdowns
  /// as if it came at the newest one's time, right after it.
  void add(const trade_executed& x);

  /// @returns the figures of every fill folded in.
  trading_figures figures(double periods_per_year) const;

  uint64_t fills() const noexcept {
    return fills_;
  }

  /// The state as JSON (doubles round-trip exactly), and back; `false` if
  /// `j` is not such a state.
  nlohmann::json to_json() const;
  bool from_json(const nlohmann::json& j);

private:
  struct position {
    double quantity = 0; ///< signed: buys minus sells
    double average_price = 0;
    double last_price = 0;
  };

  double capital_;
  size_t curve_points_;
  uint64_t fills_ = 0;
  uint64_t closed_ = 0;
  uint64_t wins_ = 0;
  uint64_t losses_ = 0;
  double gross_wins_ = 0;
  double gross_losses_ = 0;
  double realized_ = 0;
  double fees_ = 0;
  double equity_;
  double peak_;
  int64_t first_time_ = 0;
  int64_t last_time_ = 0;
  int64_t peak_time_ = 0;
  bool in_drawdown_ = false;
  double max_drawdown_ = 0;
  double max_drawdown_pct_ = 0;
  int64_t max_drawdown_duration_ = 0;
  std::map<std::string, position> positions_;
  /// Net PnL by UTC day number (days since 1970-01-01).
  std::map<int64_t, double> day_pnl_;
  /// Every `curve_stride_`-th fill's equity, from the starting capital on.
  std::vector<equity_point> curve_;
  uint64_t curve_stride_ = 1;
};

/// The trading figures of a bot's fills, overall and by symbol and by
/// strategy tag. Fills arriving within `reorder_window_ns` of the newest
/// are held and put in time order; older ones are folded into running
/// accounts, so the figures cover every fill ever taken at a cost bounded by
/// the window. The settled accounts are a state that can be stored and
/// restored: a restart reads it and the fills after it, not every fill.
class trading_book {
public:
  explicit trading_book(trading_options opts = {});

  /// Takes one fill.
  void add(const trade_executed& x);

  /// @returns the figures over every fill taken.
  trading_figures overall() const;

  /// @returns the figures per symbol or per strategy tag.
  std::map<std::string, trading_figures> by_symbol() const;
  std::map<std::string, trading_figures> by_tag() const;

  /// Fills held for reordering.
  size_t held() const noexcept {
    return held_.size();
  }

  /// Fills taken in all (restored ones included).
  uint64_t fills() const noexcept {
    return settled_.fills() + held_.size();
  }

  /// Fills that came later than the window (see `trading_account::add`).
  uint64_t late() const noexcept {
    return late_;
  }

  /// Changes with every fill taken (for caches of the figures).
  uint64_t version() const noexcept {
    return version_;
  }

  /// Every fill with a time at or before it is folded into the settled
  /// accounts; every held fill is newer.
  int64_t frontier_ns() const noexcept {
    return frontier_;
  }

  const trading_options& options() const noexcept {
    return opts_;
  }

  /// The settled accounts as JSON: with the fills newer than `frontier_ns`
  /// taken again, `restore` gives the same figures.
  nlohmann::json settled_state() const;

  /// Replaces the settled accounts with a stored state and drops every held
  /// fill; `false` (and the book unchanged) if `j` is not a state.
  bool restore(const nlohmann::json& j);

private:
  void settle(const trade_executed& x);

  template <class Key>
  std::map<std::string, trading_figures>
  group(const std::map<std::string, trading_account>& settled, Key key) const;

  trading_options opts_;
  trading_account settled_;
  std::map<std::string, trading_account> symbols_;
  std::map<std::string, trading_account> tags_;
  /// In time order, each newer than `frontier_`.
  std::deque<trade_executed> held_;
  int64_t frontier_ = std::numeric_limits<int64_t>::min();
  uint64_t late_ = 0;
  uint64_t version_ = 0;
};

/// The figures of one period's fills, overall and by symbol and by tag.
struct trading_period {
  trading_figures overall;
  std::map<std::string, trading_figures> by_symbol;
  std::map<std::string, trading_figures> by_tag;
};

/// @returns the figures of `fills` (in time order) as a book with `opts`
///          gives them: the API's figures for a period and a report's are
///          this one computation.
trading_period figures_of(const std::vector<trade_executed>& fills,
                          const trading_options& opts);

} // namespace argus
