// The aggregating queries a person (and the REST API) asks of the database,
// on a database of one day of demo activity, timed as argusctl runs them.
//
// Setup, untimed, once per run: an engine runs the demo bot for one hour of
// simulated time at the demo's 20 requests a second (72 000 requests, as
// fast as the engine commits them), then SQL copies that hour back in time
// until the database holds ARGUS_BENCH_HOURS hours (default 24), each copy
// an hour further back with its correlation ids made its own (rows the
// engine stamps with the wall clock, not the bot's time, fall in the
// seconds the setup took; each copy still lies in its own hour). Each
// benchmark then runs one argusctl command on it, with its default window
// (the last hour), output to /dev/null. With ARGUS_BENCH_HOURS=1 the same
// commands run on one hour of history: equal figures are the claim.

#include "messages/time.hpp"
#include "runtime/engine.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/argusd/demo.hpp"
#include "tools/bench/bench_engine.hpp"
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

using namespace argus;

constexpr int64_t sec = 1'000'000'000;
constexpr int64_t hour = 3600 * sec;
constexpr int requests_per_second = 20;

int hours_of_history() {
  const char* text = std::getenv("ARGUS_BENCH_HOURS");
  int hours = text ? std::atoi(text) : 24;
  return hours < 1 ? 1 : hours;
}

/// The expression that copies column `name` of `table` `k` hours back.
std::string shifted(const std::string& table, const std::string& name,
                    const std::string& type, int k, int64_t id_stride) {
  auto k_text = std::to_string(k);
  if (name == "id" || (table == "row_correlation" && name == "row_id"))
    return name + " + " + std::to_string(k * id_stride);
  if (name == "start_ns" || name == "end_ns" || name == "time_ns")
    return name + " - " + std::to_string(k * hour);
  if (type == "DATETIME")
    // sql_datetime's microseconds are the text from position 20 on.
    return "strftime('%Y-%m-%d %H:%M:%S', " + name + ", '-"
           + std::to_string(k * 3600) + " seconds') || substr(" + name
           + ", 20)";
  if (name == "correlation_id")
    return name + " || '~" + k_text + "'";
  return name;
}

/// Copies the recorded hour of every table the aggregates read `hours - 1`
/// times, each an hour further back.
void copy_back(const std::string& path, int hours) {
  SQLite::Database db{path, SQLite::OPEN_READWRITE};
  const std::vector<std::string> tables{
    "spans",           "correlation_tracking",    "ensemble_tracking",
    "regime_tracking", "model_behavior_tracking", "trades",
    "decision_steps",  "row_correlation"};
  int64_t id_stride = 1;
  for (const auto& t : tables)
    if (t != "correlation_tracking" && t != "row_correlation")
      id_stride = std::max<int64_t>(
        id_stride,
        db.execAndGet("SELECT coalesce(max(id), 0) + 1 FROM " + t).getInt64());
  for (const auto& t : tables) {
    std::vector<std::pair<std::string, std::string>> columns;
    SQLite::Statement info{db, "SELECT name, type FROM pragma_table_info(?)"};
    info.bind(1, t);
    while (info.executeStep())
      columns.emplace_back(info.getColumn(0).getString(),
                           info.getColumn(1).getString());
    // The recorded hour: ids below the stride, correlation ids without a
    // copy's suffix (row_correlation has no rowid to order by).
    bool has_id = false;
    for (const auto& c : columns)
      has_id = has_id || c.first == "id";
    auto original = has_id ? "id < " + std::to_string(id_stride)
                           : std::string{"instr(correlation_id, '~') = 0"};
    for (int k = 1; k < hours; ++k) {
      std::string names;
      std::string values;
      for (const auto& [name, type] : columns) {
        names += (names.empty() ? "" : ", ") + name;
        values += (values.empty() ? "" : ", ")
                  + shifted(t, name, type, k, id_stride);
      }
      db.exec("BEGIN");
      db.exec("INSERT INTO " + t + " (" + names + ") SELECT " + values
              + " FROM " + t + " WHERE " + original);
      db.exec("COMMIT");
    }
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.exec("ANALYZE");
}

/// The database of the run, built at the first benchmark (or
/// ARGUS_BENCH_DB, one built by an earlier run, reused as it is: its last
/// hour is the hour before it was built).
const std::string& day_database() {
  static const std::string path = []() -> std::string {
    if (const char* reuse = std::getenv("ARGUS_BENCH_DB"))
      return reuse;
    auto dir = std::filesystem::temp_directory_path() / "argus_bench_queries";
    auto hours = hours_of_history();
    {
      bench::bench_engine fx{"argus_bench_queries_engine", 1 << 16};
      if (fx.eng.start())
        std::abort();
      tools::demo_bot bot{fx.eng.client(), 42};
      const int64_t end = wall_clock_ns();
      const int64_t start = end - hour;
      const int64_t step = sec / requests_per_second;
      int64_t n = 0;
      for (int64_t t = start; t < end; t += step) {
        bot.step(t);
        // Let the engine take every event: nothing of the hour dropped.
        if (++n % 500 == 0)
          fx.settle();
      }
      if (!fx.eng.flush())
        std::abort();
      if (fx.eng.stop())
        std::abort();
      std::filesystem::remove_all(dir);
      std::filesystem::create_directories(dir);
      for (const char* suffix : {"", "-wal", "-shm"})
        if (std::filesystem::exists(fx.db_path() + suffix))
          std::filesystem::copy_file(fx.db_path() + suffix,
                                     (dir / "day.db").string() + suffix);
    }
    auto path = (dir / "day.db").string();
    copy_back(path, hours);
    return path;
  }();
  return path;
}

/// Runs argusctl with `args`, its output to /dev/null. @returns its exit
/// status.
int argusctl(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string program = ARGUSCTL_PATH;
  argv.push_back(program.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(),
                       environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void run_command(benchmark::State& state, std::vector<std::string> args) {
  const auto& db = day_database();
  args.push_back("--db");
  args.push_back(db);
  int failures = 0;
  for (auto _ : state)
    if (argusctl(args) != 0)
      ++failures;
  if (failures > 0)
    state.SkipWithError("argusctl failed");
  state.counters["history_hours"] = hours_of_history();
}

void tracking_ensembles(benchmark::State& state) {
  run_command(state, {"tracking", "ensembles"});
}
void tracking_regimes(benchmark::State& state) {
  run_command(state, {"tracking", "regimes"});
}
void tracking_features(benchmark::State& state) {
  run_command(state, {"tracking", "features"});
}
void correlations_stats(benchmark::State& state) {
  run_command(state, {"correlations", "stats"});
}
void traces_latency(benchmark::State& state) {
  run_command(state, {"traces", "--latency"});
}
void traces_slowest(benchmark::State& state) {
  run_command(state, {"traces", "--slowest", "10"});
}
void traces_errors(benchmark::State& state) {
  run_command(state, {"traces", "--errors"});
}
/// The floor: a command that reads one row.
void status_command(benchmark::State& state) {
  run_command(state, {"status"});
}

BENCHMARK(tracking_ensembles)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(tracking_regimes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(tracking_features)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(correlations_stats)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(traces_latency)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(traces_slowest)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(traces_errors)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(status_command)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
