// argusd: hosts the argus engine from a YAML file.
//
//   argusd --config FILE [--demo] [--demo-rate N] [--demo-drift-after S]
//          [--demo-regime-length S]
//          [--ingest-stdin] [--db PATH] [--log-level L]
//   argusd --check-config FILE
//
// SIGINT/SIGTERM stop it gracefully: the client queue is drained, every
// component flushed, and the database committed before it exits.

#include "config/load.hpp"
#include "messages/codec.hpp"
#include "messages/time.hpp"
#include "runtime/engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include "tools/argusd/demo.hpp"
#include <CLI/CLI.hpp>
#include <poll.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;

/// Prints `ok` or every diagnostic, like `promtool check config`.
int check_config(const std::string& path) {
  auto result = argus::config::load_file(path);
  if (result.ok()) {
    std::cout << "ok\n";
    return 0;
  }
  for (const auto& d : result.diagnostics)
    std::cout << "error: " << path << ": " << to_string(d) << "\n";
  std::cout << "FAILED: " << result.diagnostics.size() << " problem"
            << (result.diagnostics.size() == 1 ? "" : "s") << "\n";
  return 2;
}

/// Offers `event` until the engine takes it: a full client queue stops the
/// reading (the feeder's writes block on the pipe) instead of dropping
/// events a later flush would then claim. @returns false if the engine no
/// longer accepts events or argusd is stopping.
bool offer_until_taken(argus::engine& eng, argus::inbound_event& event,
                       const std::atomic<bool>& stop) {
  using offer_result = argus::runtime::client::offer_result;
  auto wait = std::chrono::microseconds{20};
  for (;;) {
    switch (eng.client().offer(event)) {
      case offer_result::accepted:
        return true;
      case offer_result::not_running:
        return false;
      case offer_result::queue_full:
        if (stop.load())
          return false;
        std::this_thread::sleep_for(wait);
        wait = std::min(wait * 2, std::chrono::microseconds{2000});
        break;
    }
  }
}

/// Reads length-prefixed msgpack frames from standard input and feeds them to
/// the engine, waiting while the engine's queue is full. A `flush_requested`
/// frame is answered on standard output with `ack <correlation id>
/// committed=<rows>` once everything before it is durable, or `nack
/// <correlation id> <error>` when something before it is not.
void ingest_stdin(argus::engine& eng, const std::atomic<bool>& stop) {
  argus::codec::frame_decoder decoder;
  auto log = eng.logs().get("ingest");
  char buf[65536];
  while (!stop.load()) {
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    auto ready = ::poll(&pfd, 1, 100);
    if (ready <= 0)
      continue;
    auto n = ::read(STDIN_FILENO, buf, sizeof(buf));
    if (n <= 0) {
      // Said on stdout too: a feeder knows every frame before EOF was read.
      std::cout << "ingest eof accepted=" << decoder.frames_accepted()
                << " rejected=" << decoder.frames_rejected() << std::endl;
      log->info("ingest-eof frames_accepted={} frames_rejected={}",
                decoder.frames_accepted(), decoder.frames_rejected());
      return;
    }
    decoder.append(std::string_view{buf, static_cast<size_t>(n)});
    while (auto item = decoder.next()) {
      if (!*item) {
        log->warn("ingest-rejected error={}",
                  eng.system().render(item->error()));
        if (decoder.failed()) {
          std::cout << "ingest closed: " << eng.system().render(item->error())
                    << std::endl;
          return;
        }
        continue;
      }
      auto& event = **item;
      if (auto flush = std::get_if<argus::flush_requested>(&event)) {
        auto corr = flush->hdr.corr.str();
        auto ack = eng.flush();
        if (ack)
          std::cout << "ack " << corr << " committed=" << ack->committed_rows
                    << std::endl;
        else
          std::cout << "nack " << corr << " "
                    << eng.system().render(ack.error()) << std::endl;
        continue;
      }
      if (!offer_until_taken(eng, event, stop)) {
        // The engine stopped under us: say so on the ack channel, since
        // the next flush cannot. (On SIGTERM argusd says it is stopping.)
        if (!stop.load())
          std::cout << "ingest stopped: the engine no longer accepts events"
                    << std::endl;
        return;
      }
    }
  }
}

/// Prints a one-line summary of the engine for a person watching the demo.
void print_summary(argus::engine& eng, uint64_t requests) {
  auto st = eng.status(5s);
  if (!st) {
    std::cout << "status unavailable: " << eng.system().render(st.error())
              << std::endl;
    return;
  }
  std::cout << "demo requests=" << requests;
  for (const auto& c : st->components) {
    std::cout << " | " << c.id << "=" << to_string(c.state);
    if (auto i = c.counters.find("committed_rows"); i != c.counters.end())
      std::cout << " committed_rows=" << i->second;
    if (auto i = c.counters.find("recorded"); i != c.counters.end())
      std::cout << " recorded=" << i->second;
    if (c.restarts > 0)
      std::cout << " restarts=" << c.restarts;
  }
  std::cout << " | client accepted=" << st->counters["client_accepted"]
            << " dropped=" << st->counters["client_dropped_queue_full"]
            << std::endl;
}

/// What the command line says.
struct daemon_options {
  std::string config_path;
  std::string check_path;
  std::string db_path;
  std::string log_level;
  bool demo = false;
  bool ingest = false;
  double demo_rate = 20.0;
  double demo_drift_after = 60.0;
  double demo_regime_length = 40.0;
};

void add_options(CLI::App& app, daemon_options& o) {
  app.add_option("--config,-c", o.config_path, "YAML configuration file");
  app.add_option("--check-config", o.check_path,
                 "validate FILE, print ok or its errors, exit 0 or 2");
  app.add_flag("--demo", o.demo,
               "run a simulated trading bot against the engine");
  app.add_option("--demo-rate", o.demo_rate, "simulated requests per second")
    ->check(CLI::Range(0.1, 10000.0));
  app
    .add_option("--demo-drift-after", o.demo_drift_after,
                "seconds until the demo's second model starts to drift")
    ->check(CLI::Range(0.0, 1e6));
  app
    .add_option("--demo-regime-length", o.demo_regime_length,
                "mean seconds a market regime lasts in the demo (each lasts "
                "half to one and a half times this)")
    ->check(CLI::Range(0.1, 1e6));
  app.add_flag("--ingest-stdin", o.ingest,
               "read length-prefixed msgpack event frames from stdin");
  app.add_option("--db", o.db_path, "SQLite file (overrides storage.path)");
  app
    .add_option("--log-level", o.log_level,
                "trace, debug, info, warn, error, critical or off")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error",
                           "critical", "off"}));
}

/// @returns the configuration the options name, or nothing after printing
/// every error.
std::optional<argus::config::engine_config>
load_config(const daemon_options& o) {
  auto loaded = argus::config::load_file(o.config_path);
  if (!loaded.ok()) {
    for (const auto& d : loaded.diagnostics)
      std::cerr << "error: " << o.config_path << ": " << to_string(d) << "\n";
    return std::nullopt;
  }
  auto cfg = std::move(*loaded.config);
  if (!o.db_path.empty())
    cfg.storage.path = o.db_path;
  if (o.demo) {
    // A person watching the demo should see drift within a minute, not
    // after the spec's 5-minute checks over 1 000-observation windows.
    auto& ml = cfg.ml_monitor;
    auto at_most = [](auto& x, auto limit) {
      if (limit < x)
        x = limit;
    };
    at_most(ml.drift_check_interval, std::chrono::milliseconds{2000});
    at_most(ml.performance_check_interval, std::chrono::milliseconds{2000});
    at_most(ml.feature_analysis_interval, std::chrono::milliseconds{2000});
    at_most(ml.reference_window, size_t{200});
    at_most(ml.current_window, size_t{200});
    at_most(ml.performance_window, size_t{200});
  }
  return cfg;
}

int64_t seconds_to_ns(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::duration<double>(s))
    .count();
}

/// Runs the simulated bot at `demo_rate` requests a second until `stop`.
void run_demo(argus::engine& eng, const daemon_options& o,
              const std::atomic<bool>& stop, std::atomic<uint64_t>& requests) {
  argus::tools::demo_bot bot{eng.client(), 42};
  bot.drift_after(seconds_to_ns(o.demo_drift_after));
  bot.regime_length(seconds_to_ns(o.demo_regime_length));
  bot.backfill(argus::wall_clock_ns(), 30);
  auto period = std::chrono::duration<double>(1.0 / o.demo_rate);
  auto next = std::chrono::steady_clock::now();
  while (!stop.load()) {
    bot.step(argus::wall_clock_ns());
    requests.store(bot.requests());
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      period);
    std::this_thread::sleep_until(next);
  }
}

/// Waits for SIGINT or SIGTERM (@returns 0) or for the engine to stop by
/// itself (@returns 1), printing the demo's summary every five seconds.
int wait_for_stop(argus::engine& eng, const sigset_t& signals, bool demo,
                  const std::atomic<uint64_t>& demo_requests) {
  auto last_summary = std::chrono::steady_clock::now();
  for (;;) {
    timespec wait{0, 200'000'000};
    auto sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) {
      std::cout << "argusd stopping signal=" << sig << std::endl;
      return 0;
    }
    if (auto reason = eng.wait_for_termination(0ms)) {
      std::cerr << "argusd: engine stopped: " << eng.system().render(*reason)
                << "\n";
      return 1;
    }
    if (demo && std::chrono::steady_clock::now() - last_summary > 5s) {
      last_summary = std::chrono::steady_clock::now();
      print_summary(eng, demo_requests.load());
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"argusd: the argus monitoring engine daemon"};
  daemon_options o;
  add_options(app, o);
  CLI11_PARSE(app, argc, argv);
  if (!o.check_path.empty())
    return check_config(o.check_path);
  if (o.config_path.empty()) {
    std::cerr << "argusd: --config FILE is required (or --check-config FILE)\n";
    return 2;
  }
  auto cfg = load_config(o);
  if (!cfg)
    return 2;

  // Signals are taken by this thread alone: block them before any other
  // thread (CAF's) exists, so they inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  argus::engine_options opts;
  if (!o.log_level.empty())
    opts.log_level = o.log_level;
  argus::engine eng{*cfg, opts};
  if (auto err = eng.start()) {
    std::cerr << "argusd: cannot start: " << argus::describe(err) << "\n";
    return 1;
  }
  std::cout << "argusd ready pid=" << ::getpid() << " db=" << cfg->storage.path
            << std::endl;

  std::atomic<bool> stop{false};
  std::thread ingest_thread;
  if (o.ingest)
    ingest_thread = std::thread{[&] {
      ingest_stdin(eng, stop);
    }};
  std::thread demo_thread;
  std::atomic<uint64_t> demo_requests{0};
  if (o.demo)
    demo_thread = std::thread{[&] {
      run_demo(eng, o, stop, demo_requests);
    }};
  int exit_code = wait_for_stop(eng, signals, o.demo, demo_requests);
  stop.store(true);
  if (demo_thread.joinable())
    demo_thread.join();
  if (ingest_thread.joinable())
    ingest_thread.join();
  if (auto err = eng.stop()) {
    std::cerr << "argusd: stop: " << argus::describe(err) << "\n";
    exit_code = exit_code == 0 ? 1 : exit_code;
  }
  std::cout << "argusd stopped" << std::endl;
  return exit_code;
}
