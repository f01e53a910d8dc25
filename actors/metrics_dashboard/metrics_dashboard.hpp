#pragma once

#include "actors/metrics_dashboard/book.hpp"
#include "actors/metrics_dashboard/history.hpp"
#include "actors/metrics_dashboard/published_view.hpp"
#include "actors/metrics_dashboard/system_health.hpp"
#include "actors/metrics_dashboard/trading_performance.hpp"
#include "config/components.hpp"
#include "messages/interfaces.hpp"

#include <spdlog/logger.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace argus {

/// What the dashboard reads besides its messages.
struct metrics_dashboard_sources {
  /// The series the bot records into (shared with the client).
  std::shared_ptr<metrics_registry> registry;
  /// Engine-wide counters (the client queue), read every update.
  std::function<std::map<std::string, uint64_t>()> engine_counters;
  /// The database, for history older than memory and to reload rollups
  /// and fills at start (empty: none).
  std::string database_path;
  /// Where /proc is (tests point it at fixtures).
  std::string proc_root = "/proc";
  /// A replacement for a crashed dashboard: the registry's running totals
  /// were counted by its predecessor (up to its last persisted window), so
  /// the first update takes them as the baseline instead of counting them
  /// again. What the predecessor had not persisted of the open windows is
  /// lost; nothing is counted twice.
  bool resume = false;
  /// Where the unified view's text is published for readers on other
  /// threads (none: not published).
  std::shared_ptr<published_view> published;
};

/// State of the METRICS DASHBOARD (spec: Metrics Dashboard). Every
/// `update_interval` (aligned to wall-clock multiples of it) it samples
/// system and engine health into ordinary series, scrapes every series into
/// the rollups, persists the windows that closed, and sends a snapshot to
/// subscribers. Fills feed the trading performance figures.
struct metrics_dashboard_state {
  static inline const char* name = "metrics_dashboard";

  metrics_dashboard_state() = default;
  metrics_dashboard_state(const metrics_dashboard_state&) = delete;
  metrics_dashboard_state& operator=(const metrics_dashboard_state&) = delete;

  /// A dashboard that is gone publishes nothing current.
  ~metrics_dashboard_state() {
    view_changed();
  }

  void init(config::metrics_dashboard_config config,
            metrics_dashboard_sources from, int64_t now_ns);

  /// Folds samples that arrived as events into the registry and fills into
  /// the trading book. @returns the fills' rows to persist.
  std::vector<db_row> take(metrics_batch batch);

  /// Samples health into the registry (the engine's figures from `engine`,
  /// the last integration status), scrapes, and returns closed points as
  /// rows. `now_ns` is the scrape's wall-clock time.
  std::vector<db_row> update(int64_t now_ns);

  /// Mirrors the components' and the engine's counters as series.
  void sample_engine(const integration_status& status, int64_t now_ns);

  /// @returns the open windows as rows (partial points: a flush makes the
  ///          database as current as memory; the window's final row
  ///          replaces them).
  std::vector<db_row> open_rows() const;

  /// Reloads recent rollups and fills from the database.
  void reload(int64_t now_ns);

  /// Answers `q` from memory (a history, from memory only).
  metrics_view view(const metrics_query& q, int64_t now_ns);

  /// @returns the points of `q`'s history that memory holds.
  std::vector<metric_point> memory_history(const metrics_query& q) const;

  /// @returns the part of `q`'s history to read from the database, or
  ///          nothing when memory covers it (or there is no database).
  std::optional<metrics_query> stored_history(const metrics_query& q) const;

  /// @returns the row storing the trading book's running state when it
  ///          changed and the last one is `trading_state_interval_ns` old
  ///          (or `force`).
  std::optional<db_row> trading_state_due(int64_t now_ns, bool force);

  /// The overall trading figures, computed once per change of the fills.
  const trading_figures& trading_overall();

  component_status status(const message_header& hdr) const;

  config::metrics_dashboard_config cfg;
  metrics_dashboard_sources sources;
  metrics_book book;
  trading_book trading;
  health_sampler health;
  health_sample last_health;
  storage_writer_actor storage;
  supervisor_actor supervisor;
  /// Reads history older than memory on its own thread (spawned at the
  /// first such query, linked).
  history_reader_actor history_reader;
  std::vector<caf::actor> subscribers;
  std::shared_ptr<spdlog::logger> log;
  int64_t started_at_ns = 0;
  int64_t last_update_ns = 0;
  uint64_t generation = 0;
  // Counters.
  uint64_t samples_received = 0;
  uint64_t samples_rejected = 0;
  uint64_t trades_received = 0;
  uint64_t points_persisted = 0;
  uint64_t snapshots_sent = 0;
  uint64_t reloaded_points = 0;
  uint64_t reloaded_trades = 0;
  bool trading_from_state = false;
  uint64_t trading_states_saved = 0;
  /// How often the trading state is stored (and at stop): what a crash
  /// costs the next start is reading the fills of this long.
  int64_t trading_state_interval_ns = 60'000'000'000;

private:
  trading_figures overall_;
  uint64_t overall_version_ = ~uint64_t{0};
  uint64_t saved_trading_version_ = 0;
  int64_t last_state_save_ns_ = 0;

  /// The dashboard view as last rendered, with what it was rendered from:
  /// the book changes only at an update, the trading book has a version.
  /// Until one of them changes, every request for the view (API clients
  /// polling at once) gets this text instead of a render of its own.
  struct rendered_view {
    std::shared_ptr<const std::string> body;
    int64_t time_ns = 0;
    int64_t update_ns = -1;
    uint64_t trading_version = 0;
  };
  rendered_view dashboard_cache_;

  /// What the published view shows is no longer current.
  void view_changed();

  /// Adds the increase of a cumulative counter seen elsewhere.
  void mirror_total(const std::string& name, const metric_labels& labels,
                    uint64_t value);
  std::map<std::pair<std::string, metric_labels>, uint64_t> mirrored_;
};

/// Spawns the dashboard; rows go to `storage`.
metrics_dashboard_actor::behavior_type metrics_dashboard(
  metrics_dashboard_actor::stateful_pointer<metrics_dashboard_state> self,
  config::metrics_dashboard_config cfg, metrics_dashboard_sources sources,
  storage_writer_actor storage, std::shared_ptr<spdlog::logger> log);

} // namespace argus
