#include "storage/storage_writer.hpp"

#include "messages/error.hpp"
#include "messages/time.hpp"
#include "storage/schema.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <utility>

namespace argus::storage {

storage_writer_state::~storage_writer_state() {
  if (store && !pending.empty()) {
    if (auto err = commit(wall_clock_ns()); err && log)
      log->error("final-commit-failed rows={} error={}", pending.size(),
                 last_error_text);
  }
}

caf::error storage_writer_state::init(storage_writer_config config,
                                      std::shared_ptr<spdlog::logger> logger,
                                      int64_t now_ns) {
  cfg = std::move(config);
  log = std::move(logger);
  started_at_ns = now_ns;
  last_retention_ns = now_ns;
  auto opened = sqlite_store::open(cfg.db);
  if (!opened)
    return std::move(opened.error());
  store = std::move(*opened);
  if (log)
    log->info("storage-opened path={} schema_version={} synchronous={}",
              cfg.db.path, store->schema_version(),
              cfg.db.synchronous_full ? "full" : "normal");
  return caf::none;
}

size_t storage_writer_state::add(std::vector<db_row>&& rows, int64_t now_ns) {
  received_rows += rows.size();
  auto room = cfg.max_pending_rows > pending.size()
                ? cfg.max_pending_rows - pending.size()
                : 0;
  auto take = std::min(room, rows.size());
  if (pending.empty() && take > 0)
    oldest_pending_ns = now_ns;
  pending.insert(pending.end(), std::make_move_iterator(rows.begin()),
                 std::make_move_iterator(rows.begin() + take));
  auto dropped = rows.size() - take;
  if (dropped > 0) {
    dropped_rows += dropped;
    if (log)
      log->warn("rows-dropped count={} pending={} reason=pending_limit",
                dropped, pending.size());
  }
  return dropped;
}

caf::error storage_writer_state::dropped_since_flush() {
  auto n = dropped_rows - std::exchange(dropped_rows_at_flush, dropped_rows);
  if (n == 0)
    return caf::none;
  return caf::make_error(ec::storage_full,
                         std::to_string(n)
                           + " rows dropped since the previous flush: more "
                             "than max_pending_rows ("
                           + std::to_string(cfg.max_pending_rows)
                           + ") waited for a commit");
}

caf::error storage_writer_state::commit(int64_t now_ns) {
  if (pending.empty()) {
    // Nothing left to write: whatever failed before no longer holds data.
    last_error = caf::none;
    return caf::none;
  }
  auto err = store->write(pending, now_ns);
  if (err) {
    ++failed_commits;
    // Log the first failure of a streak, not every retry.
    if (!last_error && log)
      log->error("commit-failed rows={} error={}", pending.size(),
                 describe(err));
    last_error_text = describe(err);
    last_error = err;
    return err;
  }
  if (last_error && log)
    log->info("commit-recovered rows={}", pending.size());
  last_error = caf::none;
  committed_rows += pending.size();
  ++committed_batches;
  pending.clear();
  oldest_pending_ns = 0;
  return caf::none;
}

void storage_writer_state::retention_step(int64_t now_ns) {
  if (cfg.retention.empty()
      || now_ns - last_retention_ns
           < std::chrono::nanoseconds{cfg.retention_interval}.count())
    return;
  last_retention_ns = now_ns;
  for (const auto& [table, age] : cfg.retention) {
    auto cutoff = now_ns - std::chrono::nanoseconds{age}.count();
    auto deleted
      = store->delete_older_than(table, cutoff, cfg.retention_batch_rows);
    if (!deleted) {
      if (log)
        log->warn("retention-failed table={} error={}", to_string(table),
                  describe(deleted.error()));
      continue;
    }
    retention_deleted_rows += *deleted;
    // A full batch means more is due: come back at the next tick instead of
    // holding the writer for a long delete.
    if (*deleted == cfg.retention_batch_rows)
      last_retention_ns
        -= std::chrono::nanoseconds{cfg.retention_interval}.count();
  }
}

component_status storage_writer_state::status(const message_header& hdr) const {
  auto state
    = last_error ? component_state::degraded : component_state::running;
  auto result = make_status(
    hdr, name, state, started_at_ns,
    {
      {"received_rows", received_rows},
      {"committed_rows", committed_rows},
      {"committed_batches", committed_batches},
      {"pending_rows", pending.size()},
      {"dropped_rows", dropped_rows},
      {"failed_commits", failed_commits},
      {"retention_deleted_rows", retention_deleted_rows},
      {"oldest_pending_ns", static_cast<uint64_t>(oldest_pending_ns)},
    });
  result.last_error = last_error_text;
  return result;
}

storage_writer_actor::behavior_type storage_writer(
  storage_writer_actor::stateful_pointer<storage_writer_state> self,
  storage_writer_config cfg, std::shared_ptr<spdlog::logger> log) {
  if (auto err
      = self->state.init(std::move(cfg), std::move(log), wall_clock_ns())) {
    self->quit(err);
    return storage_writer_actor::behavior_type::make_empty_behavior();
  }
  self->delayed_send(self, self->state.cfg.batch_interval, atom::tick_v,
                     self->state.tick_generation);
  return {
    [=](persist_rows& x) -> uint64_t {
      auto& st = self->state;
      auto now = wall_clock_ns();
      auto offered = x.rows.size();
      auto dropped = st.add(std::move(x.rows), now);
      if (st.batch_full() && !st.last_error)
        static_cast<void>(st.commit(now));
      return offered - dropped;
    },
    [=](atom::tick, uint64_t generation) {
      auto& st = self->state;
      if (generation != st.tick_generation)
        return;
      auto now = wall_clock_ns();
      static_cast<void>(st.commit(now));
      if (!st.last_error)
        st.retention_step(now);
      self->delayed_send(self, st.cfg.batch_interval, atom::tick_v, generation);
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      auto& st = self->state;
      if (auto err = st.commit(wall_clock_ns()))
        return err;
      // Committed what it holds; what it had to drop is not covered.
      if (auto err = st.dropped_since_flush())
        return err;
      if (st.log)
        st.log->debug("flushed corr={} committed_rows={}", hdr.corr.view(),
                      st.committed_rows);
      return flush_ack{make_header<flush_ack>(hdr.corr), st.committed_rows};
    },
    [=](atom::status, const message_header& hdr) {
      auto result = self->state.status(hdr);
      result.mailbox_size = self->mailbox().size();
      return result;
    },
  };
}

} // namespace argus::storage
