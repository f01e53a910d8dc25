#include "tools/argusctl/metrics_commands.hpp"

#include "actors/metrics_dashboard/book.hpp"
#include "actors/metrics_dashboard/exposition.hpp"
#include "actors/metrics_dashboard/trading_performance.hpp"
#include "actors/metrics_dashboard/trading_store.hpp"
#include "actors/metrics_dashboard/views.hpp"
#include "config/load.hpp"
#include "messages/error.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "storage/reader.hpp"
#include "storage/readers/metrics.hpp"
#include "storage/schema.hpp"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "tools/argusctl/commands.hpp"
#include "tools/argusctl/common.hpp"
#include <nlohmann/json.hpp>

namespace argus::ctl {

namespace {

using nlohmann::json;

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

/// The book as the dashboard keeps it: its stored running state and the
/// fills after it (every fill when the state was kept on another capital).
trading_book stored_trading(storage::db_reader& r, const trading_basis& basis,
                            bool& good) {
  trading_options opts;
  opts.starting_capital = basis.starting_capital;
  opts.periods_per_year = basis.periods_per_year;
  trading_book book{opts};
  good = ok(load_trading(r, book));
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
  auto r = open_db(db);
  if (!r)
    return std::nullopt;
  auto points = storage::latest_metric_points(*r, window);
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
  if (structured(output)) {
    json arr = json::array();
    for (const auto& p : points) {
      auto j = to_json(p);
      j["name"] = p.name;
      j["kind"] = to_string(p.kind);
      j["labels"] = labels_json(p.labels);
      arr.push_back(std::move(j));
    }
    print_structured(arr, output);
    return 0;
  }
  text_table table{{"NAME", "KIND", "LABELS", "VALUE", "WINDOW START"}};
  for (const auto& p : points)
    table.add({p.name, to_string(p.kind), labels_text(p.labels),
               metric_value_text(p.name, headline(p)), time_text(p.start_ns)});
  table.print(out());
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
      return fail("--labels wants key=value, got '" + kv + "'", exit_usage);
    }
    wanted.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  auto from_ns = since_ns(since);
  if (!from_ns)
    return exit_usage;
  auto r = open_db(db);
  if (!r)
    return 1;
  auto points = storage::metric_points(*r, name, window, *from_ns, 0);
  if (!ok(points))
    return 1;
  std::vector<metric_point> shown;
  for (auto& p : *points)
    if (has_labels(p.labels, wanted))
      shown.push_back(std::move(p));
  if (shown.empty()) {
    return fail("no points of '" + name + "' in window '" + window + "' in "
                + db);
  }
  if (structured(output)) {
    json arr = json::array();
    for (const auto& p : shown) {
      auto j = to_json(p);
      j["labels"] = labels_json(p.labels);
      arr.push_back(std::move(j));
    }
    print_structured(json{{"metric", name},
                          {"kind", to_string(shown.front().kind)},
                          {"window", window},
                          {"points", arr}},
                     output);
    return 0;
  }
  bool histogram = shown.front().kind == metric_kind::histogram;
  out() << name << " (" << to_string(shown.front().kind) << ", window "
        << window << ")\n";
  std::vector<std::string> headers{"WINDOW START", "LABELS", "COUNT", "SUM",
                                   "MIN",          "MAX",    "MEAN"};
  for (const char* h : histogram
                         ? std::vector<const char*>{"P50", "P90", "P95", "P99"}
                         : std::vector<const char*>{"LAST"})
    headers.emplace_back(h);
  text_table table{std::move(headers)};
  for (const auto& p : shown) {
    std::vector<std::string> row{
      time_text(p.start_ns),
      labels_text(p.labels),
      std::to_string(p.count),
      num(p.sum),
      num(p.min),
      num(p.max),
      num(p.count ? p.sum / static_cast<double>(p.count) : 0)};
    if (histogram)
      for (size_t i = 0; i < 4; ++i)
        row.push_back(i < p.quantiles.size() ? num(p.quantiles[i]) : "-");
    else
      row.push_back(num(p.last));
    table.add(std::move(row));
  }
  table.print(out());
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
  auto book = stored_trading(*latest->reader, basis, good);
  if (!good)
    return 1;
  add_trading_families(families, book.overall(), book.by_symbol(),
                       book.by_tag());
  out() << render_prometheus(families);
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
    return fail("no health figures in " + db
                + " yet (the dashboard persists a window when it closes and "
                  "at stop)");
  }
  if (structured(output)) {
    json arr = json::array();
    for (const auto* p : shown)
      arr.push_back(
        {{"name", p->name},
         {"labels", labels_json(p->labels)},
         {"value", headline(*p)},
         {"mean", p->count ? p->sum / static_cast<double>(p->count) : 0.0},
         {"max", p->max},
         {"window_start_ns", p->start_ns}});
    print_structured(json{{"window", window}, {"figures", arr}}, output);
    return 0;
  }
  text_table table{
    {"FIGURE", "LABELS", "NOW", "MEAN_" + window, "MAX_" + window}};
  // Counters show their increase over the window instead of mean and max.
  for (const auto* p : shown) {
    bool counter = p->kind == metric_kind::counter;
    auto value = [&](double x) {
      return metric_value_text(p->name, x);
    };
    table.add({p->name, labels_text(p->labels), value(headline(*p)),
               counter
                 ? "+" + value(p->sum)
                 : value(p->count ? p->sum / static_cast<double>(p->count) : 0),
               counter ? "-" : value(p->max)});
  }
  table.print(out());
  return 0;
}

int trading(const std::string& db, const std::string& by,
            const trading_basis& basis, const std::string& output) {
  auto r = open_db(db);
  if (!r)
    return 1;
  bool good = false;
  auto book = stored_trading(*r, basis, good);
  if (!good)
    return 1;
  if (book.fills() == 0)
    return nothing_yet("fills", output, json::object());
  auto overall = book.overall();
  if (structured(output)) {
    if (by.empty())
      print_structured(
        performance_json(overall, book.by_symbol(), book.by_tag()), output);
    else
      print_structured(
        performance_json(
          overall,
          by == "symbol" ? book.by_symbol() : decltype(book.by_tag()){},
          by == "tag" ? book.by_tag() : decltype(book.by_tag()){}),
        output);
    return 0;
  }
  if (by.empty()) {
    auto pct = [](double x) {
      return num(std::round(x * 10000) / 100) + "%";
    };
    out() << "FILLS              " << overall.fills << " ("
          << overall.closed_trades << " closed: " << overall.wins << " won, "
          << overall.losses << " lost)\n"
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
          << num(static_cast<double>(overall.max_drawdown_duration_ns) / 3.6e12)
          << " h)\n"
          << "CURRENT DRAWDOWN   " << num(overall.current_drawdown) << " ("
          << pct(overall.current_drawdown_pct) << ")\n"
          << "EXPOSURE           " << num(overall.exposure) << "\n"
          << "(ratios annualised from " << overall.days << " daily returns, "
          << num(basis.periods_per_year) << " periods a year, on capital "
          << num(basis.starting_capital) << ")\n\nPNL BY DAY\n";
    for (const auto& [day, pnl] : overall.pnl_by_day)
      out() << "  " << day << "  " << num(pnl) << "\n";
    return 0;
  }
  auto groups = by == "symbol" ? book.by_symbol() : book.by_tag();
  text_table table{{by == "symbol" ? "SYMBOL" : "TAG", "FILLS", "CLOSED",
                    "WIN%", "PNL", "PF", "SHARPE", "MAXDD%", "EXPOSURE"}};
  for (const auto& [key, f] : groups)
    table.add({key, std::to_string(f.fills), std::to_string(f.closed_trades),
               num(std::round(f.win_rate * 1000) / 10), num(f.realized_pnl),
               num(f.profit_factor), num(f.sharpe),
               num(std::round(f.max_drawdown_pct * 1000) / 10),
               num(f.exposure)});
  table.print(out());
  return 0;
}

void add_metrics_commands(CLI::App& app, command_table& table) {
  struct options {
    std::string db;
    std::string window = "1m";
    bool prom = false;
    trading_basis basis;
    std::string name;
    std::vector<std::string> labels;
    std::string since;
    std::string by;
    std::string output = "table";
  };
  auto o = std::make_shared<options>();
  auto add_basis = [o](CLI::App* cmd) {
    cmd->add_option("--capital", o->basis.starting_capital,
                    "capital returns are measured against (default 10000)");
    cmd->add_option("--periods-per-year", o->basis.periods_per_year,
                    "daily periods a year for annualising (default 365)");
  };
  auto add_window = [o](CLI::App* cmd) {
    cmd->add_option("--window", o->window, "aggregation window (default 1m)");
  };
  auto metrics = app.add_subcommand(
    "metrics", "metric series and their rollups (--prom: Prometheus text)");
  add_db(metrics, o->db, false);
  metrics->add_flag("--prom", o->prom,
                    "every series and the trading figures as Prometheus text");
  add_window(metrics);
  add_basis(metrics);
  auto list = metrics->add_subcommand("list", "every series, newest value");
  add_db(list, o->db);
  add_window(list);
  add_output(list, o->output);
  table.push_back({list, [o] {
                     return metrics_list(o->db, o->window, o->output);
                   }});
  auto get = metrics->add_subcommand("get", "one metric's rollups over time");
  get->add_option("name", o->name, "metric name")->required();
  add_db(get, o->db);
  add_window(get);
  get->add_option("--labels", o->labels, "only series with these k=v labels")
    ->delimiter(',');
  get->add_option("--since", o->since, "only the last DURATION (e.g. 1h)");
  add_output(get, o->output);
  table.push_back({get, [o] {
                     return metrics_get(o->db, o->name, o->window, o->labels,
                                        o->since, o->output);
                   }});
  metrics->require_subcommand(0, 1);
  table.push_back({metrics, [o] {
                     if (!o->prom || o->db.empty())
                       return fail("metrics wants list, get NAME, or --prom "
                                   "--db FILE",
                                   exit_usage);
                     return metrics_prometheus(o->db, o->window, o->basis);
                   }});

  auto h = app.add_subcommand(
    "health", "system and engine health: CPU, memory, queues, drops, lag");
  add_db(h, o->db);
  add_window(h);
  add_output(h, o->output);
  table.push_back({h, [o] {
                     return health(o->db, o->window, o->output);
                   }});

  auto tr = app.add_subcommand(
    "trading", "PnL, Sharpe/Sortino/Calmar, drawdown, win rate, exposure");
  add_db(tr, o->db);
  tr->add_option("--by", o->by, "break down by symbol or tag")
    ->check(CLI::IsMember({"symbol", "tag"}));
  add_basis(tr);
  add_output(tr, o->output);
  table.push_back({tr, [o] {
                     return trading(o->db, o->by, o->basis, o->output);
                   }});
}

} // namespace argus::ctl
