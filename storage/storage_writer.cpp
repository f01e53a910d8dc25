#include "storage/storage_writer.hpp"

#include "messages/error.hpp"
#include "messages/time.hpp"
#include "storage/schema.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <utility>

namespace argus::storage {

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

caf::error storage_writer_state::lost_since_flush() {
  auto dropped
    = dropped_rows - std::exchange(dropped_rows_at_flush, dropped_rows);
  auto rejected
    = rejected_rows - std::exchange(rejected_rows_at_flush, rejected_rows);
  auto why = std::exchange(first_rejection, std::string{});
  if (dropped == 0 && rejected == 0)
    return caf::none;
  std::string text;
  if (dropped > 0)
    text = std::to_string(dropped)
           + " rows dropped since the previous flush: more than "
             "max_pending_rows ("
           + std::to_string(cfg.max_pending_rows) + ") waited for a commit";
  if (rejected > 0) {
    if (!text.empty())
      text += "; ";
    text += std::to_string(rejected)
            + " rows refused by SQLite since the previous flush (first: " + why
            + ")";
  }
  return caf::make_error(dropped > 0 ? ec::storage_full : ec::row_rejected,
                         std::move(text));
}

void storage_writer_state::set_aside(const db_row& row,
                                     const caf::error& reason) {
  ++rejected_rows;
  auto why = describe(reason);
  // A flood of bad rows logs its first lines and is counted after that.
  constexpr uint64_t logged_per_flush = 10;
  if (log && rejected_rows - rejected_rows_at_flush <= logged_per_flush)
    log->error("row-rejected table={} corr={} reason={}", info(row.table).name,
               row.corr.view(), why);
  if (first_rejection.empty())
    first_rejection = std::string{info(row.table).name} + ": " + why;
}

storage_writer_state::chunk_result
storage_writer_state::write_isolating(size_t first, size_t count,
                                      int64_t now_ns) {
  auto err = store->write(pending.data() + first, count, now_ns);
  if (!err) {
    committed_rows += count;
    ++committed_batches;
    return {count, caf::none};
  }
  if (err != ec::row_rejected)
    return {0, std::move(err)};
  if (count == 1) {
    set_aside(pending[first], err);
    return {1, caf::none};
  }
  auto half = count / 2;
  auto front = write_isolating(first, half, now_ns);
  if (front.err)
    return front;
  auto back = write_isolating(first + half, count - half, now_ns);
  return {front.done + back.done, std::move(back.err)};
}

caf::error storage_writer_state::commit(int64_t now_ns) {
  if (pending.empty()) {
    // Nothing left to write: whatever failed before no longer holds data.
    last_error = caf::none;
    return caf::none;
  }
  auto chunk_rows = std::max<size_t>(1, cfg.batch_max_rows);
  // The write-ahead log grows until a checkpoint and keeps its size: on a
  // small disk it is what filled it. While the disk is (or was) full, move
  // the log into the database and give its space back before each chunk,
  // while the database file can still grow into space that came back;
  // otherwise new chunks take that space and the log can never be emptied.
  bool full = last_error == ec::storage_full;
  size_t done = 0;
  bool retried = false;
  caf::error err;
  while (done < pending.size()) {
    if (full)
      static_cast<void>(store->checkpoint());
    auto count = std::min(chunk_rows, pending.size() - done);
    auto result = write_isolating(done, count, now_ns);
    done += result.done;
    if (!result.err)
      continue;
    // Newly full: once more, after a checkpoint.
    if (result.err == ec::storage_full && !retried) {
      retried = full = true;
      continue;
    }
    err = std::move(result.err);
    break;
  }
  pending.erase(pending.begin(),
                pending.begin() + static_cast<ptrdiff_t>(done));
  if (pending.empty())
    oldest_pending_ns = 0;
  if (err) {
    ++failed_commits;
    // Log the first failure of a streak, not every retry.
    if (!last_error && log)
      log->error("commit-failed pending={} error={}", pending.size(),
                 describe(err));
    last_error_text = describe(err);
    last_error = err;
    return err;
  }
  if (last_error && log)
    log->info("commit-recovered rows={}", done);
  last_error = caf::none;
  return caf::none;
}

void storage_writer_state::final_commit(int64_t now_ns) {
  if (!store || pending.empty())
    return;
  if (commit(now_ns) && log)
    log->error("final-commit-failed rows={} error={}", pending.size(),
               last_error_text);
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
      {"rejected_rows", rejected_rows},
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
  // The last commit runs here, in a handler, rather than in the state's
  // destructor: I/O and logging at destruction would run wherever and
  // whenever CAF destroys the actor.
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    // As CAF's default handler: a normal exit of a linked actor is no
    // reason to stop.
    if (!msg.reason)
      return;
    self->state.final_commit(wall_clock_ns());
    self->quit(msg.reason);
  });
  return {
    [=](persist_rows& x) -> caf::result<uint64_t> {
      auto& st = self->state;
      auto now = wall_clock_ns();
      auto offered = x.rows.size();
      auto dropped = st.add(std::move(x.rows), now);
      // The answer says the writer holds the rows (a flush, not this
      // answer, says they are durable), so it leaves before the commit: the
      // sender goes on with its next batch while this one is written,
      // instead of the whole pipeline waiting for each transaction.
      auto rp = self->make_response_promise<uint64_t>();
      rp.deliver(static_cast<uint64_t>(offered - dropped));
      if (st.batch_full() && !st.last_error)
        static_cast<void>(st.commit(now));
      return rp;
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
      // Committed what it holds; what it had to drop or set aside is not
      // covered.
      if (auto err = st.lost_since_flush())
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
