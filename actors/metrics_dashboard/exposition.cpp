#include "actors/metrics_dashboard/exposition.hpp"

#include "messages/json_text.hpp"

#include <charconv>
#include <cmath>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

namespace argus {

namespace {

void append_number(std::string& out, double x) {
  if (std::isnan(x)) {
    out += "NaN";
    return;
  }
  if (std::isinf(x)) {
    out += x > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, ec == std::errc{} ? end : buf);
}

/// Label values escape backslash, double quote and newline; HELP text
/// escapes backslash and newline.
void append_escaped(std::string& out, std::string_view x, bool quotes) {
  for (auto c : x) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quotes)
      out += "\\\"";
    else
      out += c;
  }
}

std::string sanitize_label_name(std::string_view name) {
  auto s = sanitize_metric_name(name);
  for (auto& c : s)
    if (c == ':')
      c = '_';
  // Names starting with "__" are reserved for Prometheus itself.
  while (s.size() >= 2 && s[0] == '_' && s[1] == '_')
    s.erase(0, 1);
  return s;
}

void append_labels(std::string& out, const metric_labels& labels,
                   const char* extra_key = nullptr,
                   std::string_view extra_value = {}) {
  if (labels.empty() && !extra_key)
    return;
  out += '{';
  bool first = true;
  auto add = [&](std::string_view k, std::string_view v) {
    if (!first)
      out += ',';
    first = false;
    out += k;
    out += "=\"";
    append_escaped(out, v, true);
    out += '"';
  };
  for (const auto& [k, v] : labels)
    add(sanitize_label_name(k), v);
  if (extra_key)
    add(extra_key, extra_value);
  out += '}';
}

} // namespace

std::string sanitize_metric_name(std::string_view name) {
  std::string s;
  s.reserve(name.size() + 1);
  for (auto c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_' || c == ':';
    s += ok ? c : '_';
  }
  if (s.empty() || (s[0] >= '0' && s[0] <= '9'))
    s.insert(s.begin(), '_');
  return s;
}

std::vector<std::pair<double, uint64_t>>
octave_buckets(const log_histogram& h) {
  // Bucket edges never straddle a power of two, so the count below each
  // power-of-two edge is exact.
  std::set<double> edges;
  h.for_each_bucket([&](double lower, double upper, uint64_t) {
    if (lower == 0 && upper == 0) {
      edges.insert(0.0);
    } else if (lower >= 0) {
      int e = 0;
      std::frexp(lower, &e); // lower in [2^(e-1), 2^e)
      edges.insert(std::ldexp(1.0, e));
    } else {
      int e = 0;
      std::frexp(-upper, &e); // |upper| in [2^(e-1), 2^e)
      edges.insert(-std::ldexp(1.0, e - 1));
    }
  });
  std::vector<std::pair<double, uint64_t>> result;
  result.reserve(edges.size());
  for (auto e : edges)
    result.emplace_back(e, h.count_at_or_below(e));
  return result;
}

void set_histogram(exposition_series& s, const log_histogram& h) {
  s.count = h.count();
  s.sum = h.sum();
  s.buckets = octave_buckets(h);
}

std::string histogram_totals_json(const log_histogram& running,
                                  const log_histogram* window) {
  nlohmann::json le = nlohmann::json::array();
  for (const auto& [bound, n] : octave_buckets(running))
    le.push_back({bound, n});
  nlohmann::json j{
    {"count", running.count()}, {"sum", running.sum()}, {"le", le}};
  if (window) {
    nlohmann::json buckets = nlohmann::json::array();
    window->for_each_bucket_index([&](int32_t b, bool negative, uint64_t n) {
      buckets.push_back({b, negative ? 1 : 0, n});
    });
    j["window"] = buckets;
  }
  return dump_json(j);
}

bool window_histogram_from_json(const std::string& text, const metric_point& p,
                                log_histogram& out) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("window") || !j["window"].is_array())
    return false;
  try {
    for (const auto& b : j["window"])
      out.add_to_bucket(b.at(0).get<int32_t>(), b.at(1).get<int>() != 0,
                        b.at(2).get<uint64_t>());
  } catch (const nlohmann::json::exception&) {
    out.clear();
    return false;
  }
  out.add_totals(p.sum, p.min, p.max, 0);
  return true;
}

bool histogram_totals_from_json(const std::string& text, exposition_series& s) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("count") || !j.contains("le"))
    return false;
  try {
    s.count = j.at("count").get<uint64_t>();
    s.sum = j.value("sum", 0.0);
    s.buckets.clear();
    for (const auto& b : j.at("le"))
      s.buckets.emplace_back(b.at(0).get<double>(), b.at(1).get<uint64_t>());
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return true;
}

void add_trading_families(
  std::vector<exposition_family>& out, const trading_figures& overall,
  const std::map<std::string, trading_figures>& by_symbol,
  const std::map<std::string, trading_figures>& by_tag) {
  using field = std::function<double(const trading_figures&)>;
  struct kpi {
    const char* name;
    const char* help;
    field get;
  };
  const kpi kpis[] = {
    {"argus_trading_realized_pnl", "Realised PnL, net of fees.",
     [](const trading_figures& f) {
       return f.realized_pnl;
     }},
    {"argus_trading_unrealized_pnl",
     "Unrealised PnL of open positions at the last fill price.",
     [](const trading_figures& f) {
       return f.unrealized_pnl;
     }},
    {"argus_trading_total_pnl", "Realised plus unrealised PnL.",
     [](const trading_figures& f) {
       return f.total_pnl;
     }},
    {"argus_trading_fees", "Fees paid.",
     [](const trading_figures& f) {
       return f.fees;
     }},
    {"argus_trading_fills", "Fills held for the figures.",
     [](const trading_figures& f) {
       return static_cast<double>(f.fills);
     }},
    {"argus_trading_closed_trades", "Fills that booked PnL.",
     [](const trading_figures& f) {
       return static_cast<double>(f.closed_trades);
     }},
    {"argus_trading_win_ratio", "Winning closed trades over closed trades.",
     [](const trading_figures& f) {
       return f.win_rate;
     }},
    {"argus_trading_profit_factor", "Gross wins over gross losses.",
     [](const trading_figures& f) {
       return f.profit_factor;
     }},
    {"argus_trading_expectancy", "Mean net PnL per closed trade.",
     [](const trading_figures& f) {
       return f.expectancy;
     }},
    {"argus_trading_average_win", "Mean net PnL of winning trades.",
     [](const trading_figures& f) {
       return f.average_win;
     }},
    {"argus_trading_average_loss", "Mean net PnL of losing trades.",
     [](const trading_figures& f) {
       return f.average_loss;
     }},
    {"argus_trading_sharpe_ratio",
     "Annualised Sharpe ratio of daily returns (risk-free rate 0).",
     [](const trading_figures& f) {
       return f.sharpe;
     }},
    {"argus_trading_sortino_ratio",
     "Annualised Sortino ratio of daily returns.",
     [](const trading_figures& f) {
       return f.sortino;
     }},
    {"argus_trading_calmar_ratio", "Annual growth rate over max drawdown.",
     [](const trading_figures& f) {
       return f.calmar;
     }},
    {"argus_trading_max_drawdown", "Largest peak-to-trough equity drop.",
     [](const trading_figures& f) {
       return f.max_drawdown;
     }},
    {"argus_trading_max_drawdown_ratio",
     "Largest equity drop as a fraction of its peak.",
     [](const trading_figures& f) {
       return f.max_drawdown_pct;
     }},
    {"argus_trading_max_drawdown_duration_seconds",
     "Longest time from an equity peak to its recovery.",
     [](const trading_figures& f) {
       return static_cast<double>(f.max_drawdown_duration_ns) / 1e9;
     }},
    {"argus_trading_current_drawdown", "Equity below its peak now.",
     [](const trading_figures& f) {
       return f.current_drawdown;
     }},
    {"argus_trading_current_drawdown_ratio",
     "Equity below its peak now, as a fraction of the peak.",
     [](const trading_figures& f) {
       return f.current_drawdown_pct;
     }},
    {"argus_trading_exposure",
     "Gross notional of open positions at the last fill price.",
     [](const trading_figures& f) {
       return f.exposure;
     }},
  };
  for (const auto& k : kpis) {
    exposition_family fam{k.name, metric_kind::gauge, k.help, {}};
    fam.series.push_back({{}, k.get(overall), 0, 0, {}});
    for (const auto& [symbol, f] : by_symbol)
      fam.series.push_back({{{"symbol", symbol}}, k.get(f), 0, 0, {}});
    for (const auto& [tag, f] : by_tag)
      fam.series.push_back({{{"strategy", tag}}, k.get(f), 0, 0, {}});
    out.push_back(std::move(fam));
  }
}

exposition_family& family_for(std::vector<exposition_family>& families,
                              const std::string& name, metric_kind kind) {
  if (families.empty() || families.back().name != name)
    families.push_back({name,
                        kind,
                        std::string{"The "} + to_string(kind) + " " + name
                          + " recorded through argus.",
                        {}});
  return families.back();
}

std::vector<exposition_family> families_of(const metrics_registry& registry) {
  std::vector<exposition_family> result;
  registry.for_each([&](const metrics_registry::series_view& v) {
    auto& family = family_for(result, v.name, v.kind);
    exposition_series x;
    x.labels = v.labels;
    switch (v.kind) {
      case metric_kind::counter:
        x.value = static_cast<double>(v.counter->value());
        break;
      case metric_kind::gauge:
        x.value = v.gauge->value();
        break;
      case metric_kind::histogram:
        set_histogram(x, v.histogram->snapshot());
        break;
    }
    family.series.push_back(std::move(x));
  });
  return result;
}

std::string render_prometheus(const std::vector<exposition_family>& families) {
  std::string out;
  for (const auto& fam : families) {
    auto name = sanitize_metric_name(fam.name);
    // Counters are exposed as `<name>_total` (the format's convention).
    if (fam.kind == metric_kind::counter
        && (name.size() < 6 || name.compare(name.size() - 6, 6, "_total") != 0))
      name += "_total";
    out += "# HELP ";
    out += name;
    out += ' ';
    append_escaped(out, fam.help.empty() ? fam.name : fam.help, false);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += to_string(fam.kind);
    out += '\n';
    for (const auto& s : fam.series) {
      if (fam.kind != metric_kind::histogram) {
        out += name;
        append_labels(out, s.labels);
        out += ' ';
        append_number(out, s.value);
        out += '\n';
        continue;
      }
      std::string bound;
      for (const auto& [le, n] : s.buckets) {
        bound.clear();
        append_number(bound, le);
        out += name;
        out += "_bucket";
        append_labels(out, s.labels, "le", bound);
        out += ' ';
        append_number(out, static_cast<double>(n));
        out += '\n';
      }
      out += name;
      out += "_bucket";
      append_labels(out, s.labels, "le", "+Inf");
      out += ' ';
      append_number(out, static_cast<double>(s.count));
      out += '\n';
      out += name;
      out += "_sum";
      append_labels(out, s.labels);
      out += ' ';
      append_number(out, s.sum);
      out += '\n';
      out += name;
      out += "_count";
      append_labels(out, s.labels);
      out += ' ';
      append_number(out, static_cast<double>(s.count));
      out += '\n';
    }
  }
  return out;
}

} // namespace argus
