#include "tools/argusctl/metrics_commands.hpp"

#include "actors/metrics_book.hpp"
#include "actors/metrics_exposition.hpp"
#include "actors/metrics_views.hpp"
#include "actors/trading_performance.hpp"
#include "config/load.hpp"
#include "messages/error.hpp"
#include "messages/time.hpp"
#include "storage/reader.hpp"
#include "storage/schema.hpp"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace argus::ctl {

namespace {

using nlohmann::json;

/// Fills the table cells of numbers: integers plain, others with 6
/// significant digits, NaN as "-".
std::string num(double x) {
  if (!std::isfinite(x))
    return "-";
  std::ostringstream os;
  if (x == std::floor(x) && std::abs(x) < 1e15)
    os << static_cast<long long>(x);
  else
    os << std::setprecision(6) << x;
  return os.str();
}

std::string labels_text(const metric_labels& labels) {
  std::string s;
  for (const auto& [k, v] : labels)
    s += (s.empty() ? "" : ",") + k + "=" + v;
  return s.empty() ? "-" : s;
}

/// The one value a series shows in lists: a counter's total, a gauge's
/// last value, a histogram's observation count in the window.
double headline(const metric_point& p) {
  return p.kind == metric_kind::histogram ? static_cast<double>(p.count)
                                          : p.last;
}

std::unique_ptr<storage::db_reader> open(const std::string& db) {
  auto reader = storage::db_reader::open(db);
  if (!reader) {
    std::cerr << "argusctl: " << describe(reader.error()) << "\n";
    return nullptr;
  }
  return std::move(*reader);
}

template <class T>
bool ok(const caf::expected<T>& x) {
  if (x)
    return true;
  std::cerr << "argusctl: " << describe(x.error()) << "\n";
  return false;
}

std::string time_text(int64_t ns) {
  return storage::sql_datetime(ns) + "Z";
}

trading_book load_trading(storage::db_reader& r, const trading_basis& basis,
                          bool& good) {
  trading_options opts;
  opts.starting_capital = basis.starting_capital;
  opts.periods_per_year = basis.periods_per_year;
  opts.max_trades = 10'000'000;
  trading_book book{opts};
  auto fills = r.trades(opts.max_trades);
  good = ok(fills);
  if (good)
    for (const auto& f : *fills)
      book.add(f);
  return book;
}

/// The database and the newest point of every series in a window.
struct latest_points {
  std::unique_ptr<storage::db_reader> reader;
  std::vector<metric_point> points;
};

/// @returns the newest points of `window` in `db`, or nothing (the reason
///          printed).
std::optional<latest_points> load_latest(const std::string& db,
                                         const std::string& window) {
  auto r = open(db);
  if (!r)
    return std::nullopt;
  auto points = r->latest_metric_points(window);
  if (!ok(points))
    return std::nullopt;
  return latest_points{std::move(r), std::move(*points)};
}

} // namespace

int metrics_list(const std::string& db, const std::string& window,
                 const std::string& output) {
  auto latest = load_latest(db, window);
  if (!latest)
    return 1;
  auto& points = latest->points;
  if (output == "json") {
    json arr = json::array();
    for (const auto& p : points) {
      auto j = to_json(p);
      j["name"] = p.name;
      j["kind"] = to_string(p.kind);
      j["labels"] = labels_json(p.labels);
      arr.push_back(std::move(j));
    }
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  std::cout << std::left << std::setw(44) << "NAME" << std::setw(11) << "KIND"
            << std::setw(48) << "LABELS" << std::setw(16) << "VALUE"
            << "WINDOW START\n";
  for (const auto& p : points)
    std::cout << std::left << std::setw(44) << p.name << std::setw(11)
              << to_string(p.kind) << std::setw(48) << labels_text(p.labels)
              << std::setw(16) << num(headline(p)) << time_text(p.start_ns)
              << "\n";
  return 0;
}

int metrics_get(const std::string& db, const std::string& name,
                const std::string& window,
                const std::vector<std::string>& labels,
                const std::string& since, const std::string& output) {
  metric_labels wanted;
  for (const auto& kv : labels) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "argusctl: --labels wants key=value, got '" << kv << "'\n";
      return 2;
    }
    wanted.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  int64_t from_ns = 0;
  if (!since.empty()) {
    auto d = config::parse_duration(since);
    if (!d) {
      std::cerr << "argusctl: --since wants a duration like 15m or 1h\n";
      return 2;
    }
    from_ns
      = wall_clock_ns()
        - std::chrono::duration_cast<std::chrono::nanoseconds>(*d).count();
  }
  auto r = open(db);
  if (!r)
    return 1;
  auto points = r->metric_points(name, window, from_ns, 0);
  if (!ok(points))
    return 1;
  std::vector<metric_point> shown;
  for (auto& p : *points)
    if (has_labels(p.labels, wanted))
      shown.push_back(std::move(p));
  if (shown.empty()) {
    std::cerr << "argusctl: no points of '" << name << "' in window '" << window
              << "' in " << db << "\n";
    return 1;
  }
  if (output == "json") {
    json arr = json::array();
    for (const auto& p : shown) {
      auto j = to_json(p);
      j["labels"] = labels_json(p.labels);
      arr.push_back(std::move(j));
    }
    std::cout << json{{"metric", name},
                      {"kind", to_string(shown.front().kind)},
                      {"window", window},
                      {"points", arr}}
                   .dump(2)
              << "\n";
    return 0;
  }
  bool histogram = shown.front().kind == metric_kind::histogram;
  std::cout << name << " (" << to_string(shown.front().kind) << ", window "
            << window << ")\n"
            << std::left << std::setw(29) << "WINDOW START" << std::setw(28)
            << "LABELS" << std::setw(9) << "COUNT" << std::setw(13) << "SUM"
            << std::setw(13) << "MIN" << std::setw(13) << "MAX" << std::setw(13)
            << "MEAN";
  if (histogram)
    std::cout << std::setw(13) << "P50" << std::setw(13) << "P90"
              << std::setw(13) << "P95"
              << "P99\n";
  else
    std::cout << "LAST\n";
  for (const auto& p : shown) {
    std::cout << std::left << std::setw(29) << time_text(p.start_ns)
              << std::setw(28) << labels_text(p.labels) << std::setw(9)
              << p.count << std::setw(13) << num(p.sum) << std::setw(13)
              << num(p.min) << std::setw(13) << num(p.max) << std::setw(13)
              << num(p.count ? p.sum / static_cast<double>(p.count) : 0);
    if (histogram) {
      for (size_t i = 0; i < 4; ++i)
        std::cout << std::setw(13)
                  << (i < p.quantiles.size() ? num(p.quantiles[i]) : "-");
      std::cout << "\n";
    } else {
      std::cout << num(p.last) << "\n";
    }
  }
  return 0;
}

int metrics_prometheus(const std::string& db, const std::string& window,
                       const trading_basis& basis) {
  auto latest = load_latest(db, window);
  if (!latest)
    return 1;
  auto& points = latest->points;
  // The newest point of each series holds the running values at its end.
  std::vector<exposition_family> families;
  for (const auto& p : points) {
    auto& family = family_for(families, p.name, p.kind);
    exposition_series s;
    s.labels = p.labels;
    if (p.kind != metric_kind::histogram)
      s.value = p.last;
    else if (!histogram_totals_from_json(p.totals, s))
      continue; // a point without running totals has nothing to expose
    family.series.push_back(std::move(s));
  }
  bool good = false;
  auto book = load_trading(*latest->reader, basis, good);
  if (!good)
    return 1;
  add_trading_families(families, book.overall(), book.by_symbol(),
                       book.by_tag());
  std::cout << render_prometheus(families);
  return 0;
}

int health(const std::string& db, const std::string& window,
           const std::string& output) {
  auto latest = load_latest(db, window);
  if (!latest)
    return 1;
  auto& points = latest->points;
  std::vector<const metric_point*> shown;
  for (const auto& p : points)
    if (p.name.rfind("argus_", 0) == 0
        && p.name.rfind("argus_trading_", 0) != 0)
      shown.push_back(&p);
  if (shown.empty()) {
    std::cerr << "argusctl: no health figures in " << db
              << " yet (the dashboard persists a window when it closes and "
                 "at stop)\n";
    return 1;
  }
  if (output == "json") {
    json arr = json::array();
    for (const auto* p : shown)
      arr.push_back(
        {{"name", p->name},
         {"labels", labels_json(p->labels)},
         {"value", headline(*p)},
         {"mean", p->count ? p->sum / static_cast<double>(p->count) : 0.0},
         {"max", p->max},
         {"window_start_ns", p->start_ns}});
    std::cout << json{{"window", window}, {"figures", arr}}.dump(2) << "\n";
    return 0;
  }
  std::cout << std::left << std::setw(40) << "FIGURE" << std::setw(50)
            << "LABELS" << std::setw(16) << "NOW" << std::setw(16)
            << ("MEAN_" + window) << ("MAX_" + window) << "\n";
  // Counters show their increase over the window instead of mean and max.
  for (const auto* p : shown) {
    bool counter = p->kind == metric_kind::counter;
    std::cout << std::left << std::setw(40) << p->name << std::setw(50)
              << labels_text(p->labels) << std::setw(16) << num(headline(*p))
              << std::setw(16)
              << (counter
                    ? "+" + num(p->sum)
                    : num(p->count ? p->sum / static_cast<double>(p->count)
                                   : 0))
              << (counter ? "-" : num(p->max)) << "\n";
  }
  return 0;
}

int trading(const std::string& db, const std::string& by,
            const trading_basis& basis, const std::string& output) {
  auto r = open(db);
  if (!r)
    return 1;
  bool good = false;
  auto book = load_trading(*r, basis, good);
  if (!good)
    return 1;
  if (book.size() == 0) {
    std::cerr << "argusctl: no fills stored in " << db << "\n";
    return 1;
  }
  auto overall = book.overall();
  if (output == "json") {
    if (by.empty())
      std::cout
        << performance_json(overall, book.by_symbol(), book.by_tag()).dump(2)
        << "\n";
    else
      std::cout << performance_json(overall,
                                    by == "symbol" ? book.by_symbol()
                                                   : decltype(book.by_tag()){},
                                    by == "tag" ? book.by_tag()
                                                : decltype(book.by_tag()){})
                     .dump(2)
                << "\n";
    return 0;
  }
  if (by.empty()) {
    auto pct = [](double x) {
      return num(std::round(x * 10000) / 100) + "%";
    };
    std::cout << "FILLS              " << overall.fills << " ("
              << overall.closed_trades << " closed: " << overall.wins
              << " won, " << overall.losses << " lost)\n"
              << "REALISED PNL       " << num(overall.realized_pnl) << " (fees "
              << num(overall.fees) << ")\n"
              << "UNREALISED PNL     " << num(overall.unrealized_pnl) << "\n"
              << "TOTAL PNL          " << num(overall.total_pnl) << "\n"
              << "WIN RATE           " << pct(overall.win_rate) << "\n"
              << "PROFIT FACTOR      " << num(overall.profit_factor) << "\n"
              << "EXPECTANCY         " << num(overall.expectancy) << "\n"
              << "AVG WIN / LOSS     " << num(overall.average_win) << " / "
              << num(overall.average_loss) << "\n"
              << "SHARPE             " << num(overall.sharpe) << "\n"
              << "SORTINO            " << num(overall.sortino) << "\n"
              << "CALMAR             " << num(overall.calmar) << "\n"
              << "MAX DRAWDOWN       " << num(overall.max_drawdown) << " ("
              << pct(overall.max_drawdown_pct) << ", "
              << num(static_cast<double>(overall.max_drawdown_duration_ns)
                     / 3.6e12)
              << " h)\n"
              << "CURRENT DRAWDOWN   " << num(overall.current_drawdown) << " ("
              << pct(overall.current_drawdown_pct) << ")\n"
              << "EXPOSURE           " << num(overall.exposure) << "\n"
              << "(ratios annualised from " << overall.days
              << " daily returns, " << num(basis.periods_per_year)
              << " periods a year, on capital " << num(basis.starting_capital)
              << ")\n\nPNL BY DAY\n";
    for (const auto& [day, pnl] : overall.pnl_by_day)
      std::cout << "  " << day << "  " << num(pnl) << "\n";
    return 0;
  }
  auto groups = by == "symbol" ? book.by_symbol() : book.by_tag();
  std::cout << std::left << std::setw(16) << (by == "symbol" ? "SYMBOL" : "TAG")
            << std::setw(8) << "FILLS" << std::setw(8) << "CLOSED"
            << std::setw(10) << "WIN%" << std::setw(14) << "PNL"
            << std::setw(10) << "PF" << std::setw(10) << "SHARPE"
            << std::setw(10) << "MAXDD%"
            << "EXPOSURE\n";
  for (const auto& [key, f] : groups)
    std::cout << std::left << std::setw(16) << key << std::setw(8) << f.fills
              << std::setw(8) << f.closed_trades << std::setw(10)
              << num(std::round(f.win_rate * 1000) / 10) << std::setw(14)
              << num(f.realized_pnl) << std::setw(10) << num(f.profit_factor)
              << std::setw(10) << num(f.sharpe) << std::setw(10)
              << num(std::round(f.max_drawdown_pct * 1000) / 10)
              << num(f.exposure) << "\n";
  return 0;
}

} // namespace argus::ctl
