#include "actors/correlation_manager/correlation_manager.hpp"

#include "actors/common/persist.hpp"
#include "actors/common/subscribers.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

namespace argus {

latency_summary summarize_latencies(std::vector<int64_t> xs) {
  latency_summary result;
  result.count = xs.size();
  if (xs.empty())
    return result;
  std::sort(xs.begin(), xs.end());
  auto rank = [&](double p) {
    auto r = static_cast<size_t>(std::ceil(p * static_cast<double>(xs.size())));
    return xs[std::clamp<size_t>(r, 1, xs.size()) - 1];
  };
  result.p50_ns = rank(0.50);
  result.p95_ns = rank(0.95);
  result.p99_ns = rank(0.99);
  result.max_ns = xs.back();
  return result;
}

const char* to_string(request_status x) {
  switch (x) {
    case request_status::open:
      return "open";
    case request_status::completed:
      return "completed";
    case request_status::failed:
      return "failed";
    case request_status::timed_out:
      return "timed_out";
    case request_status::late:
      return "late";
    case request_status::orphan:
      return "orphan";
  }
  return "unknown";
}

std::string request_record::component_path() const {
  std::vector<std::pair<int64_t, component_type>> sorted;
  sorted.reserve(spans.size());
  for (const auto& x : spans)
    sorted.emplace_back(x.extent.start_ns, x.component);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) {
                     return a.first < b.first;
                   });
  std::string path;
  const char* last = nullptr;
  for (const auto& [t, c] : sorted) {
    auto name = to_string(c);
    if (last && std::string_view{last} == name)
      continue;
    if (!path.empty())
      path += '>';
    path += name;
    last = name;
  }
  return path;
}

std::vector<std::pair<std::string, int64_t>>
request_record::critical_time() const {
  std::vector<span_extent> extents;
  extents.reserve(spans.size());
  for (const auto& x : spans)
    extents.push_back(x.extent);
  auto tree = build_trace_tree(extents);
  std::vector<std::pair<std::string, int64_t>> result;
  for (auto node : tree.critical_path) {
    const auto& n = tree.nodes[node];
    std::string name = to_string(spans[n.span].component);
    auto it = std::find_if(result.begin(), result.end(), [&](const auto& x) {
      return x.first == name;
    });
    if (it == result.end())
      result.emplace_back(std::move(name), n.critical_ns);
    else
      it->second += n.critical_ns;
  }
  return result;
}

std::vector<request_error> request_record::errors() const {
  if (!span_errors.empty()) {
    std::vector<request_error> result;
    for (const auto& e : span_errors) {
      auto has_failed_child
        = e.span != 0
          && std::any_of(span_errors.begin(), span_errors.end(),
                         [&](const span_error& c) {
                           return c.parent == e.span;
                         });
      if (!has_failed_child)
        result.push_back(e.error);
    }
    return result;
  }
  if (status == request_status::failed
      || (!error_type.empty() || !error_message.empty()))
    return {
      {"request", error_type.empty() ? "error" : error_type, error_message}};
  return {};
}

request_outline request_record::outline() const {
  return {corr.str(),  to_string(status), component_path(), duration_ns(),
          finished_ns, critical_time(),   errors()};
}

correlation_statistics
summarize_requests(const std::vector<request_outline>& requests,
                   bool performance, bool debug, size_t samples) {
  correlation_statistics result;
  for (int i = 0; i <= static_cast<int>(request_status::orphan); ++i)
    result.by_status[to_string(static_cast<request_status>(i))] = 0;
  std::vector<int64_t> all;
  std::map<std::string, std::pair<std::vector<int64_t>, uint64_t>> by_path;
  std::map<std::string, component_time> by_component;
  int64_t critical_total = 0;
  struct group {
    error_group_summary summary;
    /// (finished, correlation id) of every occurrence.
    std::vector<std::pair<int64_t, std::string>> seen;
  };
  std::map<std::tuple<std::string, std::string, std::string>, group> groups;
  for (const auto& r : requests) {
    ++result.by_status[r.status];
    if (debug)
      for (const auto& e : r.errors) {
        auto& g = groups[{e.component, e.type, e.message}];
        ++g.summary.count;
        g.seen.emplace_back(r.finished_ns, r.corr);
      }
    if (r.status != "completed" && r.status != "failed")
      continue;
    all.push_back(r.duration_ns);
    auto& p = by_path[r.path];
    p.first.push_back(r.duration_ns);
    if (r.status == "failed")
      ++p.second;
    if (performance)
      for (const auto& [component, ns] : r.critical) {
        auto& c = by_component[component];
        c.component = component;
        c.critical_ns += ns;
        ++c.requests;
        critical_total += ns;
      }
  }
  result.latency = summarize_latencies(std::move(all));
  for (auto& [path, v] : by_path)
    result.paths.push_back(
      {path, summarize_latencies(std::move(v.first)), v.second});
  for (auto& [name, c] : by_component) {
    c.share = critical_total > 0 ? static_cast<double>(c.critical_ns)
                                     / static_cast<double>(critical_total)
                                 : 0.0;
    result.critical_path.push_back(std::move(c));
  }
  std::stable_sort(result.critical_path.begin(), result.critical_path.end(),
                   [](const auto& a, const auto& b) {
                     return a.critical_ns > b.critical_ns;
                   });
  for (auto& [key, g] : groups) {
    std::tie(g.summary.component, g.summary.type, g.summary.message) = key;
    std::sort(g.seen.begin(), g.seen.end(), std::greater<>{});
    for (size_t i = 0; i < g.seen.size() && i < samples; ++i)
      g.summary.samples.push_back(g.seen[i].second);
    result.errors.push_back(std::move(g.summary));
  }
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const auto& a, const auto& b) {
                     return a.count > b.count;
                   });
  return result;
}

void correlation_manager_state::init(config::correlation_manager_config config,
                                     int64_t now_ns) {
  cfg = std::move(config);
  started_at_ns = now_ns;
}

request_record&
correlation_manager_state::record_for(const correlation_id& corr) {
  auto [it, added] = records.try_emplace(corr);
  if (added) {
    it->second.corr = corr;
    order.push_back(corr);
    while (records.size() > cfg.max_correlation_history) {
      // Never evict the record we are about to return.
      if (order.front() == corr) {
        order.push_back(order.front());
        order.pop_front();
        continue;
      }
      records.erase(order.front());
      announced.erase(order.front());
      order.pop_front();
      ++evicted;
    }
    it = records.find(corr);
  }
  return it->second;
}

db_row correlation_manager_state::start(const request_started& x) {
  ++started_count;
  auto& r = record_for(x.hdr.corr);
  r.operation = x.operation;
  r.started_ns = x.time_ns;
  r.metadata = x.metadata;
  if (r.status == request_status::orphan) {
    // The response overtook the request (clocks, queues): pair them.
    r.status = r.error_type.empty() && r.error_message.empty()
                 ? request_status::completed
                 : request_status::failed;
  } else {
    r.status = request_status::open;
  }
  return to_row(r);
}

db_row correlation_manager_state::finish(const request_finished& x) {
  ++finished_count;
  auto known = records.count(x.hdr.corr) > 0;
  auto& r = record_for(x.hdr.corr);
  r.finished_ns = x.time_ns;
  r.error_type = x.error_type;
  r.error_message = x.error_message;
  if (!known)
    r.status = request_status::orphan;
  else if (r.status == request_status::timed_out)
    r.status = request_status::late;
  else
    r.status = x.success ? request_status::completed : request_status::failed;
  if (announcing)
    to_announce.push_back(x.hdr.corr);
  return to_row(r);
}

void correlation_manager_state::touch(const component_touch& x) {
  // A span of a request we do not track (no trace_request) still tells
  // which components worked on it; only requests already known are extended,
  // so spans alone do not fill the history.
  auto it = records.find(x.corr);
  if (it == records.end())
    return;
  auto& r = it->second;
  r.spans.push_back({x.component, {x.span, x.parent, x.start_ns, x.end_ns}});
  if (x.error) {
    ++r.error_spans;
    if (r.span_errors.size() < request_record::max_errors)
      r.span_errors.push_back(
        {x.span,
         x.parent,
         {to_string(x.component), x.error_type.empty() ? "error" : x.error_type,
          x.error_message}});
  }
  // The path grew: rewrite the row, also while the request is still open
  // (so one that never answers shows how far it got).
  if (dirty.empty() || dirty.back() != x.corr)
    dirty.push_back(x.corr);
  // A finished request's path grew: its subscribers see the new path.
  if (announcing && r.status != request_status::open
      && r.status != request_status::timed_out
      && (to_announce.empty() || to_announce.back() != x.corr))
    to_announce.push_back(x.corr);
}

std::vector<request_summary> correlation_manager_state::take_announcements() {
  std::vector<request_summary> result;
  if (to_announce.empty())
    return result;
  // Once per request per call, in the order they first asked.
  std::unordered_map<correlation_id, bool> seen;
  for (const auto& corr : to_announce) {
    if (!seen.emplace(corr, true).second)
      continue;
    auto r = find(corr);
    if (!r)
      continue;
    auto s = summary_of(*r);
    s.revision = announced[corr]++;
    result.push_back(std::move(s));
  }
  to_announce.clear();
  return result;
}

request_summary correlation_manager_state::summary_of(const request_record& r) {
  request_summary s;
  s.hdr = make_header<request_summary>(r.corr);
  s.operation = r.operation;
  s.status = to_string(r.status);
  s.path = r.component_path();
  // The root span: the one without a parent, else the earliest.
  const request_span* root = nullptr;
  for (const auto& sp : r.spans)
    if (!root || (sp.extent.parent == 0 && root->extent.parent != 0)
        || ((sp.extent.parent == 0) == (root->extent.parent == 0)
            && sp.extent.start_ns < root->extent.start_ns))
      root = &sp;
  if (root)
    s.component = to_string(root->component);
  s.started_ns = r.started_ns;
  s.finished_ns = r.finished_ns;
  s.duration_ns = r.duration_ns();
  s.spans = r.spans.size();
  s.error_spans = r.error_spans;
  s.error_type = r.error_type;
  s.error_message = r.error_message;
  return s;
}

std::vector<db_row> correlation_manager_state::take_dirty() {
  std::vector<db_row> rows;
  std::sort(dirty.begin(), dirty.end());
  dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
  for (const auto& corr : dirty)
    if (auto r = find(corr))
      rows.push_back(to_row(*r));
  dirty.clear();
  return rows;
}

std::vector<db_row> correlation_manager_state::sweep(int64_t now_ns) {
  auto rows = take_dirty();
  auto timeout = std::chrono::nanoseconds{cfg.correlation_timeout}.count();
  for (auto& [corr, r] : records) {
    if (r.status == request_status::open && now_ns - r.started_ns > timeout) {
      r.status = request_status::timed_out;
      rows.push_back(to_row(r));
    }
  }
  return rows;
}

const request_record*
correlation_manager_state::find(const correlation_id& corr) const {
  auto it = records.find(corr);
  return it == records.end() ? nullptr : &it->second;
}

db_row correlation_manager_state::to_row(const request_record& x) {
  nlohmann::json critical = nlohmann::json::object();
  for (const auto& [component, ns] : x.critical_time())
    critical[component] = static_cast<double>(ns) / 1e6;
  nlohmann::json perf{
    {"status", to_string(x.status)},
    {"duration_ms", static_cast<double>(x.duration_ns()) / 1e6},
    {"spans", x.spans.size()},
    {"error_spans", x.error_spans},
    {"critical_path_ms", std::move(critical)}};
  nlohmann::json meta{{"operation", x.operation}};
  for (const auto& a : x.metadata)
    meta[a.key] = a.type == attribute_type::integer ? nlohmann::json(a.integer)
                  : a.type == attribute_type::real  ? nlohmann::json(a.real)
                  : a.type == attribute_type::boolean
                    ? nlohmann::json(a.boolean)
                    : nlohmann::json(a.text);
  auto errors = x.errors();
  auto error = db_value::null();
  if (!errors.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : errors)
      list.push_back(
        {{"component", e.component}, {"type", e.type}, {"message", e.message}});
    error
      = db_value::of(dump_json(nlohmann::json{{"type", x.error_type},
                                              {"message", x.error_message},
                                              {"errors", std::move(list)}}));
  }
  return db_row{
    table_id::correlation_tracking,
    x.corr,
    {x.started_ns ? db_value::of(storage::sql_datetime(x.started_ns))
                  : db_value::null(),
     x.finished_ns ? db_value::of(storage::sql_datetime(x.finished_ns))
                   : db_value::null(),
     db_value::of(x.component_path()), db_value::of(dump_json(perf)), error,
     db_value::of(dump_json(meta))}};
}

correlation_statistics
correlation_manager_state::statistics(const message_header& hdr) const {
  std::vector<request_outline> outlines;
  outlines.reserve(records.size());
  for (const auto& [corr, r] : records)
    outlines.push_back(r.outline());
  auto result = summarize_requests(outlines, cfg.enable_performance_analysis,
                                   cfg.enable_debug_aggregation);
  result.hdr = make_header<correlation_statistics>(hdr.corr);
  result.evicted = evicted;
  return result;
}

component_status
correlation_manager_state::status(const message_header& hdr) const {
  return make_status(hdr, name, component_state::running, started_at_ns,
                     {{"started", started_count},
                      {"finished", finished_count},
                      {"in_memory", records.size()},
                      {"evicted", evicted}});
}

namespace {

using self_ptr
  = correlation_manager_actor::stateful_pointer<correlation_manager_state>;

/// How often open requests are checked for timeouts (and grown paths
/// rewritten): a tenth of the timeout, between 100 ms and 1 s.
std::chrono::milliseconds
sweep_interval(const config::correlation_manager_config& c) {
  auto tenth = c.correlation_timeout / 10;
  return std::clamp(tenth, std::chrono::milliseconds{100},
                    std::chrono::milliseconds{1'000});
}

/// Tells the subscribers what finished (or grew) since the last time.
void announce(self_ptr self) {
  auto& st = self->state;
  st.announcing = !st.subscribers.empty();
  for (auto& s : st.take_announcements())
    for (const auto& sub : st.subscribers)
      caf::anon_send(sub, s);
}

} // namespace

correlation_manager_actor::behavior_type correlation_manager(
  correlation_manager_actor::stateful_pointer<correlation_manager_state> self,
  config::correlation_manager_config cfg, storage_writer_actor storage,
  std::shared_ptr<spdlog::logger> log) {
  self->state.init(std::move(cfg), wall_clock_ns());
  self->state.storage = std::move(storage);
  self->state.log = std::move(log);
  forget_subscribers_when_down(self);
  self->delayed_send(self, sweep_interval(self->state.cfg), atom::tick_v,
                     self->state.tick_generation);
  return {
    [=](request_batch& batch) -> caf::result<uint64_t> {
      auto& st = self->state;
      uint64_t taken = batch.size();
      std::vector<db_row> rows;
      for (const auto& x : batch.started)
        rows.push_back(st.start(x));
      for (const auto& x : batch.finished)
        rows.push_back(st.finish(x));
      announce(self);
      return persist_then_reply(self, st.storage, batch.hdr.corr,
                                std::move(rows), taken);
    },
    [=](component_touches& x) {
      for (const auto& t : x.touches)
        self->state.touch(t);
    },
    [=](atom::subscribe, caf::actor& subscriber) {
      add_subscriber(self, std::move(subscriber));
      self->state.announcing = true;
    },
    [=](atom::tick, uint64_t generation) {
      auto& st = self->state;
      if (generation != st.tick_generation)
        return;
      auto rows = st.sweep(wall_clock_ns());
      announce(self);
      if (!rows.empty() && st.log)
        st.log->debug("requests-rewritten count={}", rows.size());
      send_rows(self, st.storage, std::move(rows));
      self->delayed_send(self, sweep_interval(st.cfg), atom::tick_v,
                         generation);
    },
    [=](atom::stats) {
      return self->state.statistics(message_header{});
    },
    [=](atom::route, const component_directory& directory) {
      self->state.storage = directory.get(storage_writer_key);
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      auto& st = self->state;
      send_rows(self, st.storage, st.take_dirty());
      return self->delegate(st.storage, atom::flush_v, hdr);
    },
    [=](atom::status, const message_header& hdr) {
      return status_with_mailbox(self, hdr);
    },
  };
}

} // namespace argus
