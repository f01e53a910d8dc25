#pragma once

// One report as every format shows it: its data (`figures`, the JSON
// format's body, stable field names) and a document laid out from exactly
// those figures (sections of KPIs, charts, tables and text) that the HTML
// and PDF renderers draw. A figure is computed once, in the report's
// builder; the renderers only format.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace argus::report_scheduler {

/// One headline number: "Net PnL  1 234.50  (+12.3 % vs previous)".
struct kpi {
  std::string label;
  std::string value;
  /// Against the previous period; empty when there is none.
  std::string change;
  /// -1 bad, 0 neutral, +1 good: the colour of `change`.
  int tone = 0;
};

struct chart_series {
  std::string name;
  /// Line charts: x in seconds since the epoch (time axis) or plain values.
  std::vector<double> x;
  std::vector<double> y;
};

struct chart {
  enum class kind : uint8_t { line, bar };
  kind type = kind::line;
  std::string title;
  std::string y_label;
  /// Line charts: the x values are UNIX seconds, labelled as dates.
  bool time_axis = true;
  /// Bar charts: one label per bar (the first series' y are the heights).
  std::vector<std::string> categories;
  std::vector<chart_series> series;
  /// Fill the area under the first series down to zero (drawdown).
  bool area = false;
};

struct table {
  std::string title;
  std::vector<std::string> columns;
  /// Per column: right-aligned numbers.
  std::vector<bool> numeric;
  std::vector<std::vector<std::string>> rows;
  /// Shown instead of an empty table.
  std::string empty_text = "none in this period";
};

struct section {
  std::string title;
  std::vector<std::string> paragraphs;
  std::vector<kpi> kpis;
  std::vector<chart> charts;
  std::vector<table> tables;
};

struct document {
  /// `performance_summary`, ...
  std::string type;
  std::string title;
  /// "1 Dec 2026 06:00 – 2 Dec 2026 06:00 (Europe/Berlin)".
  std::string period_text;
  int64_t from_ns = 0;
  int64_t to_ns = 0;
  int64_t generated_at_ns = 0;
  /// Nothing happened in the period: the document says so.
  bool empty = false;
  nlohmann::json figures;
  std::vector<section> sections;
};

} // namespace argus::report_scheduler
