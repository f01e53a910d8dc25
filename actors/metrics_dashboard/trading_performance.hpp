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
#include <map>
#include <string>
#include <vector>

namespace argus {

struct trading_options {
  double starting_capital = 10000.0;
  double periods_per_year = 365.0;
  /// Fills held; the oldest beyond it are dropped (and counted).
  size_t max_trades = 100000;
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

class trading_book {
public:
  explicit trading_book(trading_options opts = {});

  /// Takes one fill. Fills are kept in time order (a late one is inserted).
  void add(const trade_executed& x);

  /// @returns the figures over every fill held.
  trading_figures overall() const;

  /// @returns the figures per symbol or per strategy tag.
  std::map<std::string, trading_figures> by_symbol() const;
  std::map<std::string, trading_figures> by_tag() const;

  size_t size() const noexcept {
    return fills_.size();
  }
  uint64_t dropped() const noexcept {
    return dropped_;
  }

  /// Changes with every fill taken (for caches of the figures).
  uint64_t version() const noexcept {
    return version_;
  }

  const trading_options& options() const noexcept {
    return opts_;
  }

private:
  trading_figures compute(const std::vector<const trade_executed*>& xs) const;

  template <class Key>
  std::map<std::string, trading_figures> group(Key key) const;

  trading_options opts_;
  std::deque<trade_executed> fills_;
  uint64_t dropped_ = 0;
  uint64_t version_ = 0;
};

} // namespace argus
