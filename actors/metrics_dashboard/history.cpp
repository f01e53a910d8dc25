#include "actors/metrics_dashboard/history.hpp"

#include "actors/metrics_dashboard/book.hpp"
#include "actors/metrics_dashboard/views.hpp"
#include "messages/json_text.hpp"
#include "storage/readers/metrics.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

namespace argus {

metrics_view history_view(const metrics_query& q,
                          std::vector<metric_point> memory,
                          std::vector<metric_point> stored, int64_t now_ns) {
  metrics_view v;
  v.hdr = make_header<metrics_view>(q.hdr.corr);
  v.kind = metrics_view_kind::history;
  v.time_ns = now_ns;
  std::set<std::pair<metric_labels, int64_t>> in_memory;
  for (const auto& p : memory)
    in_memory.emplace(p.labels, p.start_ns);
  for (auto& p : stored)
    if (has_labels(p.labels, q.labels)
        && !in_memory.count({p.labels, p.start_ns}))
      v.points.push_back(std::move(p));
  v.points.insert(v.points.end(), std::make_move_iterator(memory.begin()),
                  std::make_move_iterator(memory.end()));
  std::stable_sort(v.points.begin(), v.points.end(),
                   [](const metric_point& a, const metric_point& b) {
                     return std::tie(a.labels, a.start_ns)
                            < std::tie(b.labels, b.start_ns);
                   });
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : v.points) {
    auto j = to_json(p);
    j["labels"] = labels_json(p.labels);
    points.push_back(std::move(j));
  }
  v.body = dump_json(nlohmann::json{
    {"metric", q.metric}, {"window", q.window}, {"points", points}});
  return v;
}

std::optional<metrics_query> stored_part(const metrics_query& q,
                                         int64_t oldest_in_memory) {
  if (oldest_in_memory != 0 && q.from_ns >= oldest_in_memory)
    return std::nullopt;
  auto part = q;
  if (oldest_in_memory != 0)
    part.to_ns = q.to_ns == 0 ? oldest_in_memory - 1
                              : std::min(q.to_ns, oldest_in_memory - 1);
  return part;
}

std::vector<metric_point>
history_reader_state::read(const metrics_query& part) {
  if (!reader) {
    auto opened = storage::db_reader::open(database_path);
    if (!opened) {
      log->warn("history-read-skipped reason={}", to_string(opened.error()));
      return {};
    }
    reader = std::move(*opened);
  }
  auto points = storage::metric_points(*reader, part.metric, part.window,
                                       part.from_ns, part.to_ns);
  if (!points) {
    log->warn("history-read-failed metric={} reason={}", part.metric,
              to_string(points.error()));
    reader.reset();
    return {};
  }
  return std::move(*points);
}

history_reader_actor::behavior_type history_reader(
  history_reader_actor::stateful_pointer<history_reader_state> self,
  std::string database_path, std::shared_ptr<spdlog::logger> log) {
  self->state.database_path = std::move(database_path);
  self->state.log = std::move(log);
  return {
    [=](const metrics_query& part, metrics_view& memory) {
      auto stored = self->state.read(part);
      return history_view(part, std::move(memory.points), std::move(stored),
                          memory.time_ns);
    },
  };
}

} // namespace argus
