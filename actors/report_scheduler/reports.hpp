#pragma once

// The spec's four reports, built from what the database holds for one
// period: `load_inputs` reads (a read-only connection, never the writer's),
// `build_report` computes every figure once and lays the document out.
// Pure apart from the reading; the scheduler actor runs both off the
// components' threads.
//
// Definitions beyond trading_performance.hpp's:
//   period            [from, to); the account starts with the starting
//                     capital plus the net PnL of every earlier fill, so a
//                     period's drawdowns and returns are those the account
//                     really had.
//   previous period   the period of the same length just before.
//   daily returns     as trading_performance.hpp, per UTC day of the period
//                     from its first fill's day to its last fill's day.
//   VaR / ES (q)      historical: VaR = -Q(1 - q) of the daily returns, Q the
//                     linear-interpolated quantile (numpy's default);
//                     ES = -mean of the returns at or below Q(1 - q).
//   regime of a fill  the latest regime recorded at or before its time.
//   drifting decision a fill at a time when a model its decision used had a
//                     drift alert open (fired or escalated, not yet
//                     resolved). The models a decision used are the members
//                     of the ensemble decision under the fill's correlation
//                     id; a fill without one counts every model as used.

#include "actors/metrics_dashboard/trading_performance.hpp"
#include "actors/report_scheduler/document.hpp"
#include "messages/status.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace argus::storage {
class db_reader;
} // namespace argus::storage

namespace argus::report_scheduler {

/// @returns whether `type` is one of the four reports.
bool known_report_type(const std::string& type);

struct report_period {
  int64_t from_ns = 0;
  int64_t to_ns = 0;
  /// The zone times are shown in.
  std::string zone = "UTC";
};

/// What a report reads from the database.
struct report_inputs {
  /// The dashboard's settings; `starting_capital` is the configured one.
  trading_options trading;
  double net_before = 0;
  double net_before_previous = 0;
  std::vector<trade_executed> fills;
  std::vector<trade_executed> previous_fills;
  /// (component, operation, duration) of the period's spans.
  std::vector<std::tuple<std::string, std::string, int64_t>> spans;
  std::string regime_at_start;
  std::vector<std::pair<int64_t, std::string>> regimes;
  nlohmann::json alerts = nlohmann::json::array();
  nlohmann::json open_at_start = nlohmann::json::array();
  nlohmann::json open_at_end = nlohmann::json::array();
  nlohmann::json performance = nlohmann::json::array();
  nlohmann::json retrains = nlohmann::json::array();
  nlohmann::json drift = nlohmann::json::array();
  /// `storage::feature_scores` rows from the period's start (replayed up
  /// to its end with the tracker's own feature tracking).
  nlohmann::json feature_scores = nlohmann::json::array();
  std::map<std::string, std::vector<std::string>> models_of_fill;
  /// The engine's live status (restarts, drops), when the report runs in
  /// argusd; a report built offline has none.
  std::optional<integration_status> status;
};

/// Reads what `type` needs for `period` (the previous period too).
caf::expected<report_inputs> load_inputs(storage::db_reader& r,
                                         const std::string& type,
                                         const report_period& period,
                                         const trading_options& trading);

/// The trading figures of a stored period, as the REST API shows them
/// (`/api/metrics/performance?since=&until=`) and performance_summary
/// reports them: `performance_json` plus the period.
caf::expected<nlohmann::json>
stored_period_performance(storage::db_reader& r, const trading_options& opts,
                          int64_t from_ns, int64_t to_ns);

/// Builds report `type` (one of the four) from `in`.
document build_report(const std::string& type, const report_inputs& in,
                      const report_period& period, int64_t now_ns);

/// Historical VaR and expected shortfall of `returns` at confidence `q`
/// (e.g. 0.95), as defined above; NaN for no returns.
std::pair<double, double> value_at_risk(std::vector<double> returns, double q);

/// The daily returns of a period (see above), given its figures' PnL by
/// day and the equity it started with.
std::vector<double> daily_returns(const std::map<std::string, double>& by_day,
                                  double start_equity);

/// Number formats the documents use ("1,234.56", "12.3 %", "n/a").
std::string money(double x);
std::string percent(double fraction);
std::string ratio(double x);

/// "2026-12-01 06:00" in `zone` (UTC if unknown).
std::string local_time(int64_t ns, const std::string& zone);

} // namespace argus::report_scheduler
