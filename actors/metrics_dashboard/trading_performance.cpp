#include "actors/metrics_dashboard/trading_performance.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace argus {

namespace {

constexpr int64_t ns_per_day = 86'400'000'000'000;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

int64_t day_number(int64_t time_ns) {
  auto d = time_ns / ns_per_day;
  return (time_ns % ns_per_day < 0) ? d - 1 : d;
}

struct civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
/// algorithm).
civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool books_pnl(const trade_executed& x) {
  return x.realized_pnl != 0 || !x.exit_reason.empty();
}

double net(const trade_executed& x) {
  return x.realized_pnl - x.fee;
}

} // namespace

std::string utc_day(int64_t time_ns) {
  auto c = civil_from_days(day_number(time_ns));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u",
                static_cast<long long>(c.year), c.month, c.day);
  return buf;
}

std::string iso_week(int64_t time_ns) {
  auto days = day_number(time_ns);
  // 1970-01-01 was a Thursday; ISO weeks start on Monday and belong to the
  // year of their Thursday.
  auto weekday = ((days + 3) % 7 + 7) % 7; // 0 = Monday
  auto thursday = days - weekday + 3;
  auto year = civil_from_days(thursday).year;
  auto week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-W%02lld", static_cast<long long>(year),
                static_cast<long long>(week));
  return buf;
}

std::string utc_month(int64_t time_ns) {
  auto c = civil_from_days(day_number(time_ns));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u", static_cast<long long>(c.year),
                c.month);
  return buf;
}

trading_book::trading_book(trading_options opts) : opts_(opts) {
  opts_.max_trades = std::max<size_t>(opts_.max_trades, 1);
}

void trading_book::add(const trade_executed& x) {
  ++version_;
  if (fills_.empty() || fills_.back().time_ns <= x.time_ns) {
    fills_.push_back(x);
  } else {
    auto at = std::upper_bound(fills_.begin(), fills_.end(), x.time_ns,
                               [](int64_t t, const trade_executed& y) {
                                 return t < y.time_ns;
                               });
    fills_.insert(at, x);
  }
  while (fills_.size() > opts_.max_trades) {
    fills_.pop_front();
    ++dropped_;
  }
}

trading_figures
trading_book::compute(const std::vector<const trade_executed*>& xs) const {
  trading_figures f;
  if (xs.empty())
    return f;
  const double capital = opts_.starting_capital;
  double gross_wins = 0;
  double gross_losses = 0;
  double equity = capital;
  double peak = capital;
  int64_t peak_time = xs.front()->time_ns;
  bool in_drawdown = false;
  f.equity_curve.reserve(xs.size() + 1);
  f.equity_curve.push_back({xs.front()->time_ns, capital});
  struct position {
    double quantity = 0; ///< signed: buys minus sells
    double average_price = 0;
    double last_price = 0;
  };
  std::map<std::string, position> positions;
  for (const auto* x : xs) {
    ++f.fills;
    auto n = net(*x);
    f.realized_pnl += n;
    f.fees += x->fee;
    if (books_pnl(*x)) {
      ++f.closed_trades;
      if (n > 0) {
        ++f.wins;
        gross_wins += n;
      } else if (n < 0) {
        ++f.losses;
        gross_losses += n;
      }
    }
    f.pnl_by_day[utc_day(x->time_ns)] += n;
    f.pnl_by_week[iso_week(x->time_ns)] += n;
    f.pnl_by_month[utc_month(x->time_ns)] += n;
    // Equity and drawdown.
    equity += n;
    f.equity_curve.push_back({x->time_ns, equity});
    if (equity >= peak) {
      if (in_drawdown)
        f.max_drawdown_duration_ns
          = std::max(f.max_drawdown_duration_ns, x->time_ns - peak_time);
      in_drawdown = false;
      peak = equity;
      peak_time = x->time_ns;
    } else {
      in_drawdown = true;
      f.max_drawdown = std::max(f.max_drawdown, peak - equity);
      f.max_drawdown_pct = std::max(f.max_drawdown_pct, (peak - equity) / peak);
    }
    // Position and average entry.
    auto& p = positions[x->symbol];
    auto signed_qty = x->side == trade_side::buy ? x->quantity : -x->quantity;
    auto next = p.quantity + signed_qty;
    if (p.quantity == 0 || (p.quantity > 0) == (signed_qty > 0)) {
      // Opening or adding: the entry price is the weighted average.
      auto held = std::abs(p.quantity);
      p.average_price = (held * p.average_price + x->quantity * x->price)
                        / (held + x->quantity);
    } else if ((next > 0) != (p.quantity > 0) && next != 0) {
      // Flipped through zero: the rest is a new position at this price.
      p.average_price = x->price;
    }
    p.quantity = next;
    p.last_price = x->price;
  }
  if (in_drawdown)
    f.max_drawdown_duration_ns
      = std::max(f.max_drawdown_duration_ns, xs.back()->time_ns - peak_time);
  f.current_drawdown = peak - equity;
  f.current_drawdown_pct = (peak - equity) / peak;
  for (const auto& [symbol, p] : positions) {
    f.unrealized_pnl += p.quantity * (p.last_price - p.average_price);
    f.exposure += std::abs(p.quantity) * p.last_price;
  }
  f.total_pnl = f.realized_pnl + f.unrealized_pnl;
  if (f.closed_trades > 0) {
    f.win_rate
      = static_cast<double>(f.wins) / static_cast<double>(f.closed_trades);
    f.expectancy
      = (gross_wins + gross_losses) / static_cast<double>(f.closed_trades);
  }
  f.profit_factor = gross_losses < 0 ? gross_wins / -gross_losses : nan;
  f.average_win = f.wins ? gross_wins / static_cast<double>(f.wins) : 0;
  f.average_loss = f.losses ? gross_losses / static_cast<double>(f.losses) : 0;
  // Daily returns, quiet days included.
  auto first_day = day_number(xs.front()->time_ns);
  auto last_day = day_number(xs.back()->time_ns);
  f.days = static_cast<size_t>(last_day - first_day + 1);
  std::vector<double> day_pnl(f.days, 0.0);
  for (const auto* x : xs)
    day_pnl[static_cast<size_t>(day_number(x->time_ns) - first_day)] += net(*x);
  std::vector<double> returns;
  returns.reserve(f.days);
  double start_equity = capital;
  for (auto pnl : day_pnl) {
    returns.push_back(pnl / start_equity);
    start_equity += pnl;
  }
  const double periods = opts_.periods_per_year;
  const auto n = static_cast<double>(returns.size());
  double mean = 0;
  for (auto r : returns)
    mean += r;
  mean /= n;
  double var = 0;
  double downside = 0;
  for (auto r : returns) {
    var += (r - mean) * (r - mean);
    downside += std::min(r, 0.0) * std::min(r, 0.0);
  }
  f.sharpe = nan;
  f.sortino = nan;
  f.calmar = nan;
  if (returns.size() >= 2 && var > 0)
    f.sharpe = mean / std::sqrt(var / (n - 1)) * std::sqrt(periods);
  if (downside > 0)
    f.sortino = mean / std::sqrt(downside / n) * std::sqrt(periods);
  f.cagr = std::pow(equity / capital, periods / n) - 1;
  if (f.max_drawdown_pct > 0)
    f.calmar = f.cagr / f.max_drawdown_pct;
  return f;
}

trading_figures trading_book::overall() const {
  std::vector<const trade_executed*> xs;
  xs.reserve(fills_.size());
  for (const auto& x : fills_)
    xs.push_back(&x);
  return compute(xs);
}

template <class Key>
std::map<std::string, trading_figures> trading_book::group(Key key) const {
  std::map<std::string, std::vector<const trade_executed*>> groups;
  for (const auto& x : fills_)
    groups[key(x)].push_back(&x);
  std::map<std::string, trading_figures> result;
  for (const auto& [k, xs] : groups)
    result.emplace(k, compute(xs));
  return result;
}

std::map<std::string, trading_figures> trading_book::by_symbol() const {
  return group([](const trade_executed& x) {
    return x.symbol;
  });
}

std::map<std::string, trading_figures> trading_book::by_tag() const {
  return group([](const trade_executed& x) {
    return x.strategy_tag;
  });
}

} // namespace argus
