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

// -- trading_account ---------------------------------------------------------

trading_account::trading_account(double starting_capital, size_t curve_points)
    : capital_(starting_capital),
      curve_points_(curve_points),
      equity_(starting_capital),
      peak_(starting_capital) {
}

void trading_account::add(const trade_executed& x) {
  // A late fill moves the clock of the curve and the drawdowns no further
  // back than the newest fill already folded.
  auto t = fills_ == 0 ? x.time_ns : std::max(x.time_ns, last_time_);
  if (fills_ == 0) {
    first_time_ = t;
    peak_time_ = t;
    if (curve_points_ > 0)
      curve_.push_back({t, capital_});
  }
  ++fills_;
  auto n = net(x);
  realized_ += n;
  fees_ += x.fee;
  if (books_pnl(x)) {
    ++closed_;
    if (n > 0) {
      ++wins_;
      gross_wins_ += n;
    } else if (n < 0) {
      ++losses_;
      gross_losses_ += n;
    }
  }
  day_pnl_[day_number(x.time_ns)] += n;
  // Equity and drawdown.
  equity_ += n;
  if (equity_ >= peak_) {
    if (in_drawdown_)
      max_drawdown_duration_ = std::max(max_drawdown_duration_, t - peak_time_);
    in_drawdown_ = false;
    peak_ = equity_;
    peak_time_ = t;
  } else {
    in_drawdown_ = true;
    max_drawdown_ = std::max(max_drawdown_, peak_ - equity_);
    max_drawdown_pct_ = std::max(max_drawdown_pct_, (peak_ - equity_) / peak_);
  }
  last_time_ = t;
  if (curve_points_ > 0 && fills_ % curve_stride_ == 0) {
    curve_.push_back({t, equity_});
    if (curve_.size() > curve_points_) {
      // Keep every other point: the curve stays evenly spaced by fill count
      // at twice the stride.
      size_t kept = 0;
      for (size_t i = 0; i < curve_.size(); i += 2)
        curve_[kept++] = curve_[i];
      curve_.resize(kept);
      curve_stride_ *= 2;
    }
  }
  // Position and average entry.
  auto& p = positions_[x.symbol];
  auto signed_qty = x.side == trade_side::buy ? x.quantity : -x.quantity;
  auto next = p.quantity + signed_qty;
  if (p.quantity == 0 || (p.quantity > 0) == (signed_qty > 0)) {
    // Opening or adding: the entry price is the weighted average.
    auto held = std::abs(p.quantity);
    p.average_price
      = (held * p.average_price + x.quantity * x.price) / (held + x.quantity);
  } else if ((next > 0) != (p.quantity > 0) && next != 0) {
    // Flipped through zero: the rest is a new position at this price.
    p.average_price = x.price;
  }
  p.quantity = next;
  p.last_price = x.price;
}

trading_figures trading_account::figures(double periods) const {
  trading_figures f;
  if (fills_ == 0)
    return f;
  f.fills = fills_;
  f.closed_trades = closed_;
  f.wins = wins_;
  f.losses = losses_;
  f.realized_pnl = realized_;
  f.fees = fees_;
  f.max_drawdown = max_drawdown_;
  f.max_drawdown_pct = max_drawdown_pct_;
  f.max_drawdown_duration_ns = max_drawdown_duration_;
  if (in_drawdown_)
    f.max_drawdown_duration_ns
      = std::max(f.max_drawdown_duration_ns, last_time_ - peak_time_);
  f.current_drawdown = peak_ - equity_;
  f.current_drawdown_pct = (peak_ - equity_) / peak_;
  if (curve_points_ > 0) {
    f.equity_curve = curve_;
    if (fills_ % curve_stride_ != 0)
      f.equity_curve.push_back({last_time_, equity_});
  }
  for (const auto& [symbol, p] : positions_) {
    f.unrealized_pnl += p.quantity * (p.last_price - p.average_price);
    f.exposure += std::abs(p.quantity) * p.last_price;
  }
  f.total_pnl = f.realized_pnl + f.unrealized_pnl;
  if (closed_ > 0) {
    f.win_rate = static_cast<double>(wins_) / static_cast<double>(closed_);
    f.expectancy = (gross_wins_ + gross_losses_) / static_cast<double>(closed_);
  }
  f.profit_factor = gross_losses_ < 0 ? gross_wins_ / -gross_losses_ : nan;
  f.average_win = wins_ ? gross_wins_ / static_cast<double>(wins_) : 0;
  f.average_loss = losses_ ? gross_losses_ / static_cast<double>(losses_) : 0;
  // Daily returns, quiet days included.
  auto first_day = day_pnl_.begin()->first;
  auto last_day = day_pnl_.rbegin()->first;
  f.days = static_cast<size_t>(last_day - first_day + 1);
  std::vector<double> returns;
  returns.reserve(f.days);
  double start_equity = capital_;
  auto next_day = day_pnl_.begin();
  for (auto d = first_day; d <= last_day; ++d) {
    double pnl = 0;
    if (next_day != day_pnl_.end() && next_day->first == d) {
      pnl = next_day->second;
      auto at = d * ns_per_day;
      f.pnl_by_day[utc_day(at)] += pnl;
      f.pnl_by_week[iso_week(at)] += pnl;
      f.pnl_by_month[utc_month(at)] += pnl;
      ++next_day;
    }
    returns.push_back(pnl / start_equity);
    start_equity += pnl;
  }
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
  f.cagr = std::pow(equity_ / capital_, periods / n) - 1;
  if (f.max_drawdown_pct > 0)
    f.calmar = f.cagr / f.max_drawdown_pct;
  return f;
}

nlohmann::json trading_account::to_json() const {
  auto positions = nlohmann::json::object();
  for (const auto& [symbol, p] : positions_)
    positions[symbol] = {p.quantity, p.average_price, p.last_price};
  auto days = nlohmann::json::array();
  for (const auto& [d, pnl] : day_pnl_)
    days.push_back({d, pnl});
  auto curve = nlohmann::json::array();
  for (const auto& p : curve_)
    curve.push_back({p.time_ns, p.equity});
  return {{"capital", capital_},
          {"fills", fills_},
          {"closed", closed_},
          {"wins", wins_},
          {"losses", losses_},
          {"gross_wins", gross_wins_},
          {"gross_losses", gross_losses_},
          {"realized", realized_},
          {"fees", fees_},
          {"equity", equity_},
          {"peak", peak_},
          {"first_time", first_time_},
          {"last_time", last_time_},
          {"peak_time", peak_time_},
          {"in_drawdown", in_drawdown_},
          {"max_drawdown", max_drawdown_},
          {"max_drawdown_pct", max_drawdown_pct_},
          {"max_drawdown_duration", max_drawdown_duration_},
          {"positions", positions},
          {"days", days},
          {"curve", curve},
          {"curve_stride", curve_stride_}};
}

bool trading_account::from_json(const nlohmann::json& j) {
  // Every field is read before any is assigned: a state that is not one
  // leaves the account as it was. Non-finite figures were stored as null
  // and fail here.
  try {
    // The figures depend on the starting capital: a state kept under
    // another one is not this account's.
    if (j.at("capital").get<double>() != capital_)
      return false;
    trading_account a{capital_, curve_points_};
    a.fills_ = j.at("fills").get<uint64_t>();
    a.closed_ = j.at("closed").get<uint64_t>();
    a.wins_ = j.at("wins").get<uint64_t>();
    a.losses_ = j.at("losses").get<uint64_t>();
    a.gross_wins_ = j.at("gross_wins").get<double>();
    a.gross_losses_ = j.at("gross_losses").get<double>();
    a.realized_ = j.at("realized").get<double>();
    a.fees_ = j.at("fees").get<double>();
    a.equity_ = j.at("equity").get<double>();
    a.peak_ = j.at("peak").get<double>();
    a.first_time_ = j.at("first_time").get<int64_t>();
    a.last_time_ = j.at("last_time").get<int64_t>();
    a.peak_time_ = j.at("peak_time").get<int64_t>();
    a.in_drawdown_ = j.at("in_drawdown").get<bool>();
    a.max_drawdown_ = j.at("max_drawdown").get<double>();
    a.max_drawdown_pct_ = j.at("max_drawdown_pct").get<double>();
    a.max_drawdown_duration_ = j.at("max_drawdown_duration").get<int64_t>();
    for (const auto& [symbol, p] : j.at("positions").items())
      a.positions_[symbol]
        = {p.at(0).get<double>(), p.at(1).get<double>(), p.at(2).get<double>()};
    for (const auto& d : j.at("days"))
      a.day_pnl_[d.at(0).get<int64_t>()] = d.at(1).get<double>();
    if (a.curve_points_ > 0)
      for (const auto& p : j.at("curve"))
        a.curve_.push_back({p.at(0).get<int64_t>(), p.at(1).get<double>()});
    a.curve_stride_
      = std::max<uint64_t>(j.at("curve_stride").get<uint64_t>(), 1);
    if (a.fills_ > 0 && a.day_pnl_.empty())
      return false;
    *this = std::move(a);
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

// -- trading_book ------------------------------------------------------------

trading_book::trading_book(trading_options opts)
    : opts_(opts), settled_(opts.starting_capital, opts.curve_points) {
  opts_.max_trades = std::max<size_t>(opts_.max_trades, 1);
  opts_.reorder_window_ns = std::max<int64_t>(opts_.reorder_window_ns, 0);
}

void trading_book::settle(const trade_executed& x) {
  settled_.add(x);
  symbols_.try_emplace(x.symbol, opts_.starting_capital).first->second.add(x);
  tags_.try_emplace(x.strategy_tag, opts_.starting_capital)
    .first->second.add(x);
}

void trading_book::add(const trade_executed& x) {
  ++version_;
  if (x.time_ns <= frontier_) {
    ++late_;
    settle(x);
    return;
  }
  if (held_.empty() || held_.back().time_ns <= x.time_ns) {
    held_.push_back(x);
  } else {
    auto at = std::upper_bound(held_.begin(), held_.end(), x.time_ns,
                               [](int64_t t, const trade_executed& y) {
                                 return t < y.time_ns;
                               });
    held_.insert(at, x);
  }
  // Settle what is past the window (or past the count), all fills of one
  // time together: every held fill stays newer than the frontier.
  auto horizon = held_.back().time_ns - opts_.reorder_window_ns;
  while (
    !held_.empty()
    && (held_.size() > opts_.max_trades || held_.front().time_ns < horizon)) {
    frontier_ = held_.front().time_ns;
    while (!held_.empty() && held_.front().time_ns == frontier_) {
      settle(held_.front());
      held_.pop_front();
    }
  }
}

trading_figures trading_book::overall() const {
  auto a = settled_;
  for (const auto& x : held_)
    a.add(x);
  return a.figures(opts_.periods_per_year);
}

template <class Key>
std::map<std::string, trading_figures>
trading_book::group(const std::map<std::string, trading_account>& settled,
                    Key key) const {
  auto accounts = settled;
  for (const auto& x : held_)
    accounts.try_emplace(key(x), opts_.starting_capital).first->second.add(x);
  std::map<std::string, trading_figures> result;
  for (const auto& [k, a] : accounts)
    result.emplace(k, a.figures(opts_.periods_per_year));
  return result;
}

std::map<std::string, trading_figures> trading_book::by_symbol() const {
  return group(symbols_, [](const trade_executed& x) -> const std::string& {
    return x.symbol;
  });
}

std::map<std::string, trading_figures> trading_book::by_tag() const {
  return group(tags_, [](const trade_executed& x) -> const std::string& {
    return x.strategy_tag;
  });
}

nlohmann::json trading_book::settled_state() const {
  auto accounts = [](const std::map<std::string, trading_account>& xs) {
    auto j = nlohmann::json::object();
    for (const auto& [k, a] : xs)
      j[k] = a.to_json();
    return j;
  };
  return {{"frontier_ns", frontier_},
          {"late", late_},
          {"overall", settled_.to_json()},
          {"by_symbol", accounts(symbols_)},
          {"by_tag", accounts(tags_)}};
}

bool trading_book::restore(const nlohmann::json& j) {
  try {
    trading_account overall{opts_.starting_capital, opts_.curve_points};
    if (!overall.from_json(j.at("overall")))
      return false;
    auto accounts = [&](const nlohmann::json& xs,
                        std::map<std::string, trading_account>& out) {
      for (const auto& [k, a] : xs.items())
        if (!out.try_emplace(k, opts_.starting_capital)
               .first->second.from_json(a))
          return false;
      return true;
    };
    std::map<std::string, trading_account> symbols;
    std::map<std::string, trading_account> tags;
    if (!accounts(j.at("by_symbol"), symbols)
        || !accounts(j.at("by_tag"), tags))
      return false;
    auto frontier = j.at("frontier_ns").get<int64_t>();
    auto late = j.at("late").get<uint64_t>();
    frontier_ = frontier;
    late_ = late;
    settled_ = std::move(overall);
    symbols_ = std::move(symbols);
    tags_ = std::move(tags);
    held_.clear();
    ++version_;
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

trading_period figures_of(const std::vector<trade_executed>& fills,
                          const trading_options& opts) {
  auto o = opts;
  // Every fill of the period takes part: none is folded out of order.
  o.max_trades = std::max(o.max_trades, fills.size() + 1);
  trading_book book{o};
  for (const auto& f : fills)
    book.add(f);
  return {book.overall(), book.by_symbol(), book.by_tag()};
}

} // namespace argus
