#include "actors/metrics_dashboard/metrics_dashboard.hpp"

#include "actors/common/persist.hpp"
#include "actors/common/subscribers.hpp"
#include "actors/metrics_dashboard/history.hpp"
#include "actors/metrics_dashboard/trading_store.hpp"
#include "actors/metrics_dashboard/views.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "storage/reader.hpp"
#include "storage/readers/metrics.hpp"
#include "storage/rows.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace argus {

namespace {

/// How far back rollups are reloaded at start, per window: what memory
/// would hold (`max_metric_history` points).
int64_t reload_horizon_ns(const config::metrics_dashboard_config& cfg,
                          const rollup_window& w) {
  return w.length_ns * static_cast<int64_t>(cfg.max_metric_history);
}

std::vector<rollup_window>
windows_of(const config::metrics_dashboard_config& cfg) {
  std::vector<rollup_window> result;
  for (const auto& w : cfg.aggregation_windows)
    result.push_back(
      {w.name,
       std::chrono::duration_cast<std::chrono::nanoseconds>(w.length).count()});
  return result;
}

int64_t interval_ns(const config::metrics_dashboard_config& cfg) {
  return std::max<int64_t>(
    std::chrono::duration_cast<std::chrono::nanoseconds>(cfg.update_interval)
      .count(),
    1'000'000);
}

std::string disk_path_of(const std::string& database_path) {
  if (database_path.empty() || database_path == ":memory:")
    return ".";
  auto dir = std::filesystem::path{database_path}.parent_path();
  return dir.empty() ? "." : dir.string();
}

} // namespace

void metrics_dashboard_state::init(config::metrics_dashboard_config config,
                                   metrics_dashboard_sources from,
                                   int64_t now_ns) {
  cfg = std::move(config);
  sources = std::move(from);
  book = metrics_book{windows_of(cfg), cfg.max_metric_history};
  trading_options opts;
  opts.starting_capital = cfg.trading_starting_capital;
  opts.periods_per_year = cfg.trading_periods_per_year;
  opts.max_trades = cfg.max_trades;
  trading = trading_book{opts};
  health
    = health_sampler{sources.proc_root, disk_path_of(sources.database_path)};
  started_at_ns = now_ns;
  dashboard_cache_ = {};
  view_changed();
  if (sources.resume && sources.registry)
    book.baseline(*sources.registry);
}

std::vector<db_row> metrics_dashboard_state::take(metrics_batch batch) {
  std::vector<db_row> rows;
  for (auto& s : batch.samples) {
    ++samples_received;
    metric_labels labels(s.labels.begin(), s.labels.end());
    if (!sources.registry
        || !sources.registry->record(s.name, s.kind, s.value,
                                     std::move(labels)))
      ++samples_rejected;
  }
  rows.reserve(batch.trades.size());
  for (auto& t : batch.trades) {
    ++trades_received;
    if (t.hdr.corr.empty())
      t.hdr.corr = batch.hdr.corr;
    rows.push_back(storage::to_row(t));
    trading.add(t);
  }
  if (!batch.trades.empty())
    view_changed();
  return rows;
}

void metrics_dashboard_state::view_changed() {
  if (sources.published)
    sources.published->invalidate();
}

void metrics_dashboard_state::mirror_total(const std::string& name,
                                           const metric_labels& labels,
                                           uint64_t value) {
  auto& last = mirrored_[{name, labels}];
  // A restarted component counts from zero again: all of it is new.
  auto increase = value >= last ? value - last : value;
  last = value;
  if (auto* c = sources.registry->counter(name, labels))
    c->add(increase);
}

void metrics_dashboard_state::sample_engine(const integration_status& status,
                                            int64_t now_ns) {
  if (!sources.registry)
    return;
  auto& reg = *sources.registry;
  for (const auto& c : status.components) {
    metric_labels component{{"component", c.id}};
    reg.record("argus_component_mailbox_messages", metric_kind::gauge,
               static_cast<double>(c.mailbox_size), component);
    reg.record("argus_component_up", metric_kind::gauge,
               c.state == component_state::running ? 1.0 : 0.0, component);
    mirror_total("argus_component_restarts_total", component, c.restarts);
    for (const auto& [key, value] : c.counters) {
      if (key.rfind("dropped", 0) == 0)
        mirror_total("argus_component_dropped_total",
                     {{"component", c.id}, {"reason", key}}, value);
      if (key == "oldest_pending_ns") {
        auto lag
          = value > 0
              ? static_cast<double>(now_ns - static_cast<int64_t>(value)) / 1e9
              : 0.0;
        reg.record("argus_storage_lag_seconds", metric_kind::gauge,
                   std::max(lag, 0.0));
      }
      if (key == "pending_rows")
        reg.record("argus_storage_pending_rows", metric_kind::gauge,
                   static_cast<double>(value));
    }
  }
}

std::vector<db_row> metrics_dashboard_state::update(int64_t now_ns) {
  std::vector<db_row> rows;
  if (!sources.registry)
    return rows;
  auto& reg = *sources.registry;
  last_health = health.sample(now_ns);
  const auto& h = last_health;
  auto gauge = [&](const char* name, double x) {
    reg.record(name, metric_kind::gauge, x);
  };
  gauge("argus_process_cpu_percent", h.process_cpu_percent);
  gauge("argus_process_resident_memory_bytes",
        static_cast<double>(h.process_rss_bytes));
  gauge("argus_process_threads", static_cast<double>(h.process_threads));
  gauge("argus_process_open_fds", static_cast<double>(h.process_open_fds));
  gauge("argus_host_load1", h.load.one);
  gauge("argus_host_load5", h.load.five);
  gauge("argus_host_load15", h.load.fifteen);
  gauge("argus_host_memory_available_bytes",
        static_cast<double>(h.memory_available_bytes));
  gauge("argus_host_memory_total_bytes",
        static_cast<double>(h.memory_total_bytes));
  gauge("argus_disk_free_bytes", static_cast<double>(h.disk_free_bytes));
  gauge("argus_disk_total_bytes", static_cast<double>(h.disk_total_bytes));
  if (sources.engine_counters) {
    auto c = sources.engine_counters();
    auto get = [&](const char* key) {
      auto i = c.find(key);
      return i == c.end() ? uint64_t{0} : i->second;
    };
    gauge("argus_client_queue_depth",
          static_cast<double>(get("client_queued")));
    mirror_total("argus_events_accepted_total", {}, get("client_accepted"));
    for (const auto& [key, reason] :
         {std::pair{"client_dropped_queue_full", "queue_full"},
          std::pair{"client_dropped_not_running", "not_running"},
          std::pair{"unrouted", "unrouted"},
          std::pair{"failed_delivery", "failed_delivery"}})
      mirror_total("argus_events_dropped_total", {{"reason", reason}},
                   get(key));
  }
  mirror_total("argus_metric_series_overflowed_total", {}, reg.overflowed());
  mirror_total("argus_metric_kind_conflicts_total", {}, reg.kind_conflicts());
  // The interval since the previous update is attributed to its midpoint.
  auto since = last_update_ns > 0 ? last_update_ns : now_ns - interval_ns(cfg);
  std::vector<metric_point> closed;
  book.scrape(reg, since + (now_ns - since) / 2, closed);
  book.roll(since + (now_ns - since) / 2, closed);
  last_update_ns = now_ns;
  view_changed();
  rows.reserve(closed.size());
  for (const auto& p : closed)
    rows.push_back(storage::to_row(p));
  points_persisted += rows.size();
  return rows;
}

std::vector<db_row> metrics_dashboard_state::open_rows() const {
  std::vector<db_row> rows;
  for (const auto& p : book.open_points())
    rows.push_back(storage::to_row(p));
  return rows;
}

void metrics_dashboard_state::reload(int64_t now_ns) {
  if (sources.database_path.empty() || sources.database_path == ":memory:")
    return;
  auto reader = storage::db_reader::open(sources.database_path);
  if (!reader) {
    log->warn("reload-skipped reason={}", to_string(reader.error()));
    return;
  }
  for (const auto& w : book.windows()) {
    auto points = storage::metric_points(**reader, "", w.name,
                                         now_ns - reload_horizon_ns(cfg, w), 0);
    if (!points) {
      log->warn("reload-skipped window={} reason={}", w.name,
                to_string(points.error()));
      continue;
    }
    for (const auto& p : *points) {
      // The window still open continues where the last run left it.
      book.restore(p, p.start_ns + w.length_ns > now_ns);
      ++reloaded_points;
    }
  }
  dashboard_cache_ = {};
  view_changed();
  if (auto loaded = load_trading(**reader, trading)) {
    reloaded_trades = loaded->fills_read;
    trading_from_state = loaded->from_state;
  } else {
    log->warn("reload-skipped fills reason={}", to_string(loaded.error()));
  }
  saved_trading_version_ = trading.version();
  last_state_save_ns_ = now_ns;
  log->info("reloaded points={} fills={} trading_state={}", reloaded_points,
            reloaded_trades, trading_from_state ? "used" : "none");
}

std::optional<db_row> metrics_dashboard_state::trading_state_due(int64_t now_ns,
                                                                 bool force) {
  if (trading.version() == saved_trading_version_
      || (!force && now_ns - last_state_save_ns_ < trading_state_interval_ns))
    return std::nullopt;
  saved_trading_version_ = trading.version();
  last_state_save_ns_ = now_ns;
  ++trading_states_saved;
  return trading_state_row(trading, now_ns);
}

metrics_view metrics_dashboard_state::view(const metrics_query& q,
                                           int64_t now_ns) {
  metrics_view v;
  v.hdr = make_header<metrics_view>(q.hdr.corr);
  v.kind = q.kind;
  v.time_ns = now_ns;
  switch (q.kind) {
    case metrics_view_kind::dashboard: {
      auto& cache = dashboard_cache_;
      if (cache.body && cache.update_ns == last_update_ns
          && cache.trading_version == trading.version()) {
        v.body = *cache.body;
        v.time_ns = cache.time_ns;
        break;
      }
      nlohmann::json series = nlohmann::json::array();
      for (const auto& s : book.summaries()) {
        nlohmann::json windows = nlohmann::json::object();
        for (const auto& [name, p] : s.current)
          windows[name] = to_json(p);
        series.push_back({{"name", s.name},
                          {"kind", to_string(s.kind)},
                          {"labels", labels_json(s.labels)},
                          {"value", s.value},
                          {"windows", windows}});
      }
      nlohmann::json window_names = nlohmann::json::array();
      for (const auto& w : book.windows())
        window_names.push_back(w.name);
      v.body = dump_json(
        nlohmann::json{{"time_ns", now_ns},
                       {"windows", window_names},
                       {"metrics", series},
                       {"system_health", to_json(last_health)},
                       {"performance", to_json(trading_overall(), 100)}});
      cache = {std::make_shared<const std::string>(v.body), now_ns,
               last_update_ns, trading.version()};
      if (sources.published)
        sources.published->publish(cache.body);
      break;
    }
    case metrics_view_kind::performance:
      v.body = dump_json(performance_json(
        trading_overall(), trading.by_symbol(), trading.by_tag()));
      break;
    case metrics_view_kind::health: {
      nlohmann::json engine = nlohmann::json::array();
      for (const auto& s : book.summaries())
        if (s.name.rfind("argus_component_", 0) == 0
            || s.name.rfind("argus_events_", 0) == 0
            || s.name.rfind("argus_client_", 0) == 0
            || s.name.rfind("argus_storage_", 0) == 0)
          engine.push_back({{"name", s.name},
                            {"labels", labels_json(s.labels)},
                            {"value", s.value}});
      auto j = to_json(last_health);
      j["engine"] = engine;
      v.body = dump_json(j);
      break;
    }
    case metrics_view_kind::prometheus: {
      auto families = sources.registry ? families_of(*sources.registry)
                                       : std::vector<exposition_family>{};
      add_trading_families(families, trading_overall(), trading.by_symbol(),
                           trading.by_tag());
      v.body = render_prometheus(families);
      break;
    }
    case metrics_view_kind::history:
      // Memory only: a query reaching past memory goes to `history_reader`
      // (see the handler).
      return history_view(q, memory_history(q), {}, now_ns);
  }
  return v;
}

std::vector<metric_point>
metrics_dashboard_state::memory_history(const metrics_query& q) const {
  return book.history(q.metric, q.window, q.labels, q.from_ns, q.to_ns);
}

std::optional<metrics_query>
metrics_dashboard_state::stored_history(const metrics_query& q) const {
  if (sources.database_path.empty() || sources.database_path == ":memory:")
    return std::nullopt;
  return stored_part(q, book.oldest_in_memory(q.metric, q.window));
}

const trading_figures& metrics_dashboard_state::trading_overall() {
  if (overall_version_ != trading.version()) {
    overall_ = trading.overall();
    overall_version_ = trading.version();
  }
  return overall_;
}

component_status
metrics_dashboard_state::status(const message_header& hdr) const {
  return make_status(hdr, name, component_state::running, started_at_ns,
                     {
                       {"series", book.series()},
                       {"samples_received", samples_received},
                       {"samples_rejected", samples_rejected},
                       {"trades_received", trades_received},
                       {"trades_held", trading.held()},
                       {"trades_total", trading.fills()},
                       {"trades_late", trading.late()},
                       {"trading_states_saved", trading_states_saved},
                       {"points_persisted", points_persisted},
                       {"snapshots_sent", snapshots_sent},
                       {"subscribers", subscribers.size()},
                       {"reloaded_points", reloaded_points},
                       {"reloaded_trades", reloaded_trades},
                       {"reloaded_trading_state", trading_from_state ? 1 : 0},
                     });
}

namespace {

using self_ptr
  = metrics_dashboard_actor::stateful_pointer<metrics_dashboard_state>;

/// Schedules the next update at the next multiple of `update_interval`.
void schedule(self_ptr self) {
  auto& st = self->state;
  auto interval = interval_ns(st.cfg);
  auto now = wall_clock_ns();
  auto delay = interval - now % interval;
  self->delayed_send(self, std::chrono::nanoseconds{delay}, atom::tick_v,
                     st.generation);
}

} // namespace

metrics_dashboard_actor::behavior_type
metrics_dashboard(self_ptr self, config::metrics_dashboard_config cfg,
                  metrics_dashboard_sources sources,
                  storage_writer_actor storage,
                  std::shared_ptr<spdlog::logger> log) {
  auto& st = self->state;
  st.log = std::move(log);
  st.storage = std::move(storage);
  st.init(std::move(cfg), std::move(sources), wall_clock_ns());
  st.reload(st.started_at_ns);
  forget_subscribers_when_down(self);
  schedule(self);
  return {
    [=](metrics_batch& batch) -> caf::result<uint64_t> {
      uint64_t taken = batch.size();
      auto corr = batch.hdr.corr;
      auto rows = self->state.take(std::move(batch));
      return persist_then_reply(self, self->state.storage, corr,
                                std::move(rows), taken);
    },
    [=](atom::tick, uint64_t generation) {
      auto& st = self->state;
      if (generation != st.generation)
        return;
      auto now = wall_clock_ns();
      auto rows = st.update(now);
      if (auto state = st.trading_state_due(now, false))
        rows.push_back(std::move(*state));
      send_rows(self, st.storage, std::move(rows));
      if (st.supervisor)
        self
          ->request(st.supervisor, std::chrono::seconds{10}, atom::status_v,
                    message_header{})
          .then(
            [self](integration_status& s) {
              self->state.sample_engine(s, wall_clock_ns());
            },
            [](caf::error&) {});
      if (st.cfg.enable_real_time_updates && !st.subscribers.empty()) {
        metrics_query q;
        auto v = st.view(q, now);
        for (const auto& s : st.subscribers)
          caf::anon_send(s, v);
        st.snapshots_sent += st.subscribers.size();
      }
      schedule(self);
    },
    [=](const metrics_query& q) -> caf::result<metrics_view> {
      auto& st = self->state;
      if (q.kind == metrics_view_kind::history) {
        if (auto part = st.stored_history(q)) {
          // The database part is read on the reader's thread; it answers
          // the requester with the whole view.
          if (!st.history_reader)
            st.history_reader = self->spawn<caf::detached + caf::linked>(
              history_reader, st.sources.database_path, st.log);
          metrics_view memory;
          memory.time_ns = wall_clock_ns();
          memory.points = st.memory_history(q);
          return self->delegate(st.history_reader, std::move(*part),
                                std::move(memory));
        }
      }
      return st.view(q, wall_clock_ns());
    },
    [=](atom::subscribe, caf::actor& subscriber) {
      add_subscriber(self, std::move(subscriber));
    },
    [=](atom::route, const component_directory& directory) {
      // The supervisor answers for the components' health.
      self->state.storage = directory.get(storage_writer_key);
      self->state.supervisor = directory.get(supervisor_key);
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      // Closed windows went to storage when they closed.
      return self->delegate(self->state.storage, atom::flush_v, hdr);
    },
    [=](atom::stop, const message_header& hdr) -> caf::result<flush_ack> {
      // The last update, and the open windows too: the next run merges
      // them back (see `reload`).
      auto& st = self->state;
      auto now = wall_clock_ns();
      auto rows = st.update(now);
      if (auto state = st.trading_state_due(now, true))
        rows.push_back(std::move(*state));
      auto open = st.open_rows();
      rows.insert(rows.end(), std::make_move_iterator(open.begin()),
                  std::make_move_iterator(open.end()));
      send_rows(self, st.storage, std::move(rows));
      return self->delegate(st.storage, atom::flush_v, hdr);
    },
    [=](atom::status, const message_header& hdr) {
      return status_with_mailbox(self, hdr);
    },
  };
}

} // namespace argus
