#include "actors/report_scheduler/report_scheduler.hpp"

#include "actors/common/persist.hpp"
#include "messages/error.hpp"
#include "messages/json_text.hpp"
#include "messages/time.hpp"
#include "storage/reader.hpp"
#include "storage/readers/reports.hpp"
#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <filesystem>
#include <random>

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace argus {

namespace rs = report_scheduler;

namespace {

using namespace std::chrono;

/// Runs kept in memory for the status and the history answer before the
/// database has them.
constexpr size_t recent_runs = 100;
/// The scheduler looks at the clock at least this often, so that a clock
/// that jumps (NTP, a suspended VM) is caught up with within a minute.
constexpr auto max_sleep = seconds{60};

using rs::to_ns;
using rs::to_sys;

/// One run on a thread of its own: render, write, then deliver with
/// retries (a delayed message per retry, so the worker stays responsive to
/// an exit while it waits).
caf::behavior report_worker(caf::event_based_actor* self, rs::run_job job,
                            rs::run_settings settings,
                            std::optional<integration_status> status,
                            caf::actor scheduler, correlation_id run_id,
                            std::shared_ptr<spdlog::logger> log) {
  // A report can wait; spans and acks cannot. The worker's thread (its own:
  // the actor is detached) runs only on CPU time the engine's threads leave
  // (SCHED_IDLE; where that is refused, the lowest nice value). On Linux a
  // thread id names one thread to both calls.
  auto tid = static_cast<pid_t>(::syscall(SYS_gettid));
  sched_param idle{};
  if (::sched_setscheduler(tid, SCHED_IDLE, &idle) != 0)
    static_cast<void>(::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 19));
  auto started = wall_clock_ns();
  report_generated g;
  g.hdr = make_header<report_generated>(run_id);
  g.report_type = job.type;
  g.schedule_type = job.schedule_type;
  g.format = config::to_string(job.format);
  g.recipients = job.recipients;
  g.generated_at_ns = started;
  g.range_start_ns = job.period.from_ns;
  g.range_end_ns = job.period.to_ns;
  g.report_name = job.name;
  auto rendered = rs::render_report(job, settings, status, started);
  if (!rendered) {
    g.status = "failed: " + describe(rendered.error());
    g.error = describe(rendered.error());
    self->send(scheduler, g);
    self->quit();
    return {};
  }
  g.file_path = rendered->path;
  g.bytes = rendered->bytes.size();
  log->info("report-rendered type={} format={} bytes={} ms={} file={}",
            job.type, g.format, g.bytes, (wall_clock_ns() - started) / 1000000,
            g.file_path);
  if (!job.send || job.recipients.empty()) {
    g.status = "generated";
    self->send(scheduler, g);
    self->quit();
    return {};
  }
  g.status = "sending";
  self->send(scheduler, g);
  auto mail = std::make_shared<rs::mail_message>(
    rs::make_mail(job, *rendered, settings.email, started));
  auto state = std::make_shared<report_generated>(g);
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto attempt = [=] {
    ++state->attempts;
    auto r = rs::send_mail(settings.email, *mail);
    if (r.sent) {
      state->status = "sent";
      state->error.clear();
      log->info("report-sent type={} to={} attempts={}", job.type,
                job.recipients.size(), state->attempts);
      self->send(scheduler, *state);
      self->quit();
      return;
    }
    state->error = r.error;
    auto age = milliseconds{(wall_clock_ns() - started) / 1000000};
    auto wait = rs::retry_delay(state->attempts, settings.retry_initial,
                                std::max(settings.retry_initial,
                                         settings.retry_max_age / 4),
                                std::uniform_real_distribution<double>{
                                  0.0, 1.0}(*rng));
    if (!r.retryable || age + wait > settings.retry_max_age) {
      state->status = "failed: " + r.error;
      log->warn("report-delivery-failed type={} attempts={} retryable={} "
                "error={}",
                job.type, state->attempts, r.retryable, r.error);
      self->send(scheduler, *state);
      self->quit();
      return;
    }
    log->warn("report-delivery-retry type={} attempt={} in_ms={} error={}",
              job.type, state->attempts, wait.count(), r.error);
    self->delayed_send(self, wait, atom::tick_v, uint64_t{0});
  };
  self->send(self, atom::tick_v, uint64_t{0});
  return {
    [=](atom::tick, uint64_t) {
      attempt();
    },
  };
}

void schedule_tick(report_scheduler_pointer self) {
  auto& st = self->state;
  auto now = to_sys(wall_clock_ns());
  auto next = st.plan.earliest();
  auto wait = next ? std::clamp<seconds>(*next - now, seconds{0}, max_sleep)
                   : max_sleep;
  self->delayed_send(self, wait, atom::tick_v, ++st.generation);
}

/// Starts a run; `rp` (if pending) gets the rendered result.
void start_run(report_scheduler_pointer self, rs::run_job job,
               caf::typed_response_promise<report_generated> rp = {}) {
  auto& st = self->state;
  job.sequence = ++st.sequence;
  ++st.runs_started;
  auto id = correlation_id::parse("report-" + std::to_string(wall_clock_ns())
                                  + "-" + std::to_string(job.sequence));
  auto run_id = id ? *id : correlation_id{};
  report_generated pending;
  pending.hdr = make_header<report_generated>(run_id);
  pending.report_type = job.type;
  pending.schedule_type = job.schedule_type;
  pending.status = "rendering";
  pending.generated_at_ns = wall_clock_ns();
  st.running[run_id.str()] = pending;
  if (rp.pending())
    st.waiting[run_id.str()] = rp;
  auto launch = [self, job, run_id](std::optional<integration_status> status) {
    auto& st = self->state;
    auto worker = self->system().spawn<caf::detached>(
      report_worker, job, st.settings, std::move(status),
      caf::actor_cast<caf::actor>(self), run_id, st.log);
    st.workers[run_id.str()] = worker;
    self->monitor(worker);
  };
  // The executive summary counts restarts and drops: ask the supervisor
  // first (briefly; without an answer it says it has none).
  auto with_status = [self, launch, type = job.type] {
    auto& st = self->state;
    if (type == "executive_summary" && st.supervisor) {
      self
        ->request(st.supervisor, seconds{5}, atom::status_v, message_header{})
        .then(
          [launch](integration_status& x) {
            launch(std::move(x));
          },
          [launch](caf::error&) {
            launch(std::nullopt);
          });
      return;
    }
    launch(std::nullopt);
  };
  // What the period's last moments wrote is committed before the report
  // reads it (a run at 06:00 covers the fill of 05:59:59.9); without an
  // answer in time the report reads what is there.
  if (!st.storage) {
    with_status();
    return;
  }
  self->request(st.storage, seconds{10}, atom::flush_v, message_header{})
    .then(
      [with_status](const flush_ack&) {
        with_status();
      },
      [with_status](caf::error&) {
        with_status();
      });
}

rs::run_job job_of(const rs::planned_report& p, rs::sys_seconds at,
                   bool email) {
  rs::run_job job;
  job.name = p.name;
  job.type = rs::type_of(p.name, p.definition);
  job.format = p.definition.format;
  job.recipients = p.definition.recipients;
  job.send = email;
  job.schedule_type = rs::to_string(p.when.every);
  auto [from, to] = rs::period_of(p.when, at);
  job.period = {to_ns(from), to_ns(to), std::string{p.when.zone->name()}};
  return job;
}

void run_due(report_scheduler_pointer self) {
  auto& st = self->state;
  for (const auto& due : st.plan.take_due(to_sys(wall_clock_ns()))) {
    if (const auto* p = st.plan.find(due.name)) {
      st.log->info("report-due name={} at={}", due.name,
                   date::format("%FT%TZ", due.at));
      start_run(self, job_of(*p, due.at, st.cfg.email_distribution));
    }
  }
  schedule_tick(self);
}

/// Reads what the database knows: custom reports and each report's latest
/// scheduled run; runs those missed while argusd was down.
void read_database(report_scheduler_pointer self) {
  auto& st = self->state;
  const auto& path = st.settings.database_path;
  std::unique_ptr<storage::db_reader> reader;
  if (!path.empty() && path != ":memory:" && std::filesystem::exists(path)) {
    auto opened = storage::db_reader::open(path);
    if (opened)
      reader = std::move(*opened);
    else
      st.log->warn("report-history-unreadable error={}",
                   describe(opened.error()));
  }
  std::vector<std::string> skipped;
  auto due = rs::restore_plan(st.plan, st.cfg, reader.get(),
                              to_sys(wall_clock_ns()), skipped);
  for (const auto& s : skipped)
    st.log->warn("report-config-skipped {}", s);
  for (const auto& d : due)
    if (const auto* p = st.plan.find(d.name)) {
      st.log->info("report-catch-up name={} (missed while argusd was down)",
                   d.name);
      ++st.runs_missed;
      start_run(self, job_of(*p, d.at, st.cfg.email_distribution));
    }
}

} // namespace

report_scheduler_actor::behavior_type
report_scheduler_component(report_scheduler_pointer self,
                           config::engine_config cfg,
                           storage_writer_actor storage,
                           std::shared_ptr<spdlog::logger> log) {
  auto& st = self->state;
  st.cfg = cfg.report_scheduler;
  st.storage = std::move(storage);
  st.log = std::move(log);
  st.started_at_ns = wall_clock_ns();
  st.settings.database_path = cfg.storage.path;
  st.settings.output_directory
    = rs::output_directory(st.cfg.output_directory, cfg.storage.path);
  st.settings.trading.starting_capital
    = cfg.metrics_dashboard.trading_starting_capital;
  st.settings.trading.periods_per_year
    = cfg.metrics_dashboard.trading_periods_per_year;
  st.settings.email = st.cfg.email;
  st.settings.max_files = st.cfg.max_files;
  st.settings.file_retention = st.cfg.file_retention;
  st.settings.retry_initial = st.cfg.retry_initial;
  st.settings.retry_max_age = st.cfg.retry_max_age;
  std::string error;
  if (!st.plan.load(st.cfg, error))
    st.log->error("report-plan-invalid error={}", error);
  read_database(self);
  for (const auto& [name, p] : st.plan.reports())
    st.log->info("report-scheduled name={} schedule='{}' next={}", name,
                 rs::describe(p.when),
                 p.next ? date::format("%FT%TZ", *p.next) : "never");
  schedule_tick(self);
  // A worker that died without its final word (an exception, a kill)
  // fails its run.
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    if (!dm.reason || dm.reason == caf::exit_reason::normal)
      return; // it sent its final word before it quit
    for (auto& [id, w] : st.workers)
      if (w.address() == dm.source) {
        auto g = st.running[id];
        g.status = "failed: the run's worker stopped: " + describe(dm.reason);
        auto rid = id;
        caf::anon_send(caf::actor_cast<caf::actor>(self), std::move(g));
        st.workers.erase(rid);
        return;
      }
  });
  // Workers left running when the scheduler stops are told to stop too.
  self->attach_functor([self] {
    for (auto& [id, w] : self->state.workers)
      caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  });
  return {
    [=](report_requested& req) -> caf::result<report_generated> {
      auto& st = self->state;
      if (!rs::known_report_type(req.report_type))
        return caf::make_error(ec::invalid_argument,
                               "unknown report type '" + req.report_type
                                 + "'; expected performance_summary, "
                                   "model_analysis, risk_assessment or "
                                   "executive_summary");
      rs::run_job job;
      job.type = req.report_type;
      if (req.format == "html")
        job.format = config::report_format::html;
      else if (req.format == "json")
        job.format = config::report_format::json;
      else if (req.format.empty() || req.format == "pdf")
        job.format = config::report_format::pdf;
      else
        return caf::make_error(ec::invalid_argument,
                               "format must be pdf, html or json; got '"
                                 + req.format + "'");
      job.recipients = req.recipients;
      job.send = req.send;
      auto now = wall_clock_ns();
      job.period.to_ns = req.range_end_ns ? req.range_end_ns : now;
      job.period.from_ns = req.range_start_ns
                             ? req.range_start_ns
                             : job.period.to_ns - 86'400'000'000'000;
      if (job.period.from_ns >= job.period.to_ns)
        return caf::make_error(ec::invalid_argument,
                               "the period is empty: from must be before to");
      job.period.zone = req.time_zone.empty() ? st.cfg.time_zone
                                              : req.time_zone;
      std::string error;
      if (!rs::find_zone(job.period.zone, error))
        return caf::make_error(ec::invalid_argument, error);
      if (job.send && job.recipients.empty())
        return caf::make_error(ec::invalid_argument,
                               "send needs at least one recipient");
      for (const auto& r : job.recipients)
        if (!config::valid_email_address(r))
          return caf::make_error(ec::invalid_argument,
                                 "'" + r + "' is not an e-mail address");
      auto rp = self->make_response_promise<report_generated>();
      start_run(self, std::move(job), rp);
      return rp;
    },
    [=](atom::lookup) {
      return dump_json(self->state.plan.to_json());
    },
    [=](atom::put, const std::string& name,
        const std::string& body) -> caf::result<std::string> {
      auto& st = self->state;
      std::string error;
      auto j = nlohmann::json::parse(body, nullptr, false);
      auto def = rs::definition_from_json(j, rs::definition_defaults(st.cfg),
                                          error);
      if (!def
          || !st.plan.put(name, *def, to_sys(wall_clock_ns()), true, error))
        return caf::make_error(ec::invalid_argument, error);
      db_row row;
      row.table = table_id::report_configs;
      row.values = {db_value::of(name),
                    db_value::of(dump_json(rs::to_json(*def))),
                    db_value::of(wall_clock_ns())};
      send_rows(self, st.storage, {std::move(row)});
      st.log->info("report-added name={} schedule='{}'", name,
                   rs::describe(st.plan.find(name)->when));
      schedule_tick(self);
      for (auto& entry : st.plan.to_json())
        if (entry["name"] == name)
          return dump_json(entry);
      return std::string{"{}"};
    },
    [=](atom::tick, uint64_t generation) {
      if (generation == self->state.generation)
        run_due(self);
    },
    [=](report_generated& g) {
      auto& st = self->state;
      auto id = g.hdr.corr.str();
      if (auto w = st.waiting.find(id); w != st.waiting.end()) {
        w->second.deliver(g);
        st.waiting.erase(w);
      }
      if (g.status == "sending") {
        st.running[id] = g;
        return;
      }
      if (st.running.erase(id) == 0)
        return; // already recorded
      st.workers.erase(id);
      if (g.status == "sent")
        ++st.runs_sent;
      else if (g.status == "generated")
        ++st.runs_generated;
      else
        ++st.runs_failed;
      st.recent.push_back(g);
      if (st.recent.size() > recent_runs)
        st.recent.pop_front();
      std::vector<db_row> rows{storage::to_row(g)};
      if (auto entry = storage::entry_row(g))
        rows.push_back(std::move(*entry));
      send_rows(self, st.storage, std::move(rows));
      st.files_pruned += rs::prune_report_files(
        st.settings.output_directory, st.settings.max_files,
        st.settings.file_retention, wall_clock_ns());
    },
    [=](atom::route, const component_directory& directory) {
      self->state.storage = directory.get(storage_writer_key);
      self->state.supervisor = directory.get(supervisor_key);
    },
    [=](atom::flush, const message_header& hdr) -> caf::result<flush_ack> {
      return self->delegate(self->state.storage, atom::flush_v, hdr);
    },
    [=](atom::status, const message_header& hdr) {
      return status_with_mailbox(self, hdr);
    },
  };
}

component_status
report_scheduler_state::status(const message_header& hdr) const {
  return make_status(hdr, name, component_state::running, started_at_ns,
                     {{"reports", plan.reports().size()},
                      {"runs_started", runs_started},
                      {"runs_running", running.size()},
                      {"runs_sent", runs_sent},
                      {"runs_generated", runs_generated},
                      {"runs_failed", runs_failed},
                      {"runs_missed", runs_missed},
                      {"files_pruned", files_pruned}});
}

} // namespace argus
