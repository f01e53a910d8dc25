// argusd: hosts the argus engine from a YAML file.
//
//   argusd --config FILE [--demo] [--demo-rate N] [--demo-drift-after S]
//          [--demo-regime-length S]
//          [--ingest-stdin] [--db PATH] [--log-level L]
//          [--http-port N | --no-http]
//   argusd --check-config FILE
//
// SIGINT/SIGTERM stop it gracefully: the client queue is drained, every
// component flushed, and the database committed before it exits. With
// --ingest-stdin and no --demo, the end of standard input does the same
// (docs/WIRE.md lists the answers on standard output).

#include "config/load.hpp"
#include "messages/time.hpp"
#include "runtime/engine.hpp"
#include "runtime/gateway/api.hpp"
#include "runtime/gateway/gateway.hpp"
#include "runtime/gateway/web_assets.hpp"
#include "runtime/ingest/wire_session.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "tools/argusctl/remote.hpp"
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

/// argusd's standard output as it was at start: the ack channel a feeder
/// reads. Everything argusd says on purpose goes here, one whole line at a
/// time; file descriptor 1 itself is pointed at standard error, so text
/// that anything else writes to stdout (CAF prints an actor's unhandled
/// exception with `aout`) can never be mistaken for an answer.
class ack_channel {
public:
  ack_channel() : fd_(::dup(STDOUT_FILENO)) {
    std::cout.flush();
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
  }

  ack_channel(const ack_channel&) = delete;
  ack_channel& operator=(const ack_channel&) = delete;

  ~ack_channel() {
    ::close(fd_);
  }

  void line(std::string text) {
    text += '\n';
    std::lock_guard<std::mutex> guard{mtx_};
    size_t done = 0;
    while (done < text.size()) {
      auto n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return; // the reader is gone; nobody is left to tell
      done += static_cast<size_t>(n);
    }
  }

private:
  int fd_;
  std::mutex mtx_;
};

/// Feeds standard input to a wire session until it ends, breaks or argusd
/// stops; at its end or break the session answers its last line.
/// @returns whether the stream ended by itself (not by a signal).
bool ingest_stdin(argus::runtime::wire_session& session,
                  const std::atomic<bool>& stop) {
  char buf[65536];
  while (!stop.load()) {
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    auto ready = ::poll(&pfd, 1, 100);
    if (ready <= 0)
      continue;
    auto n = ::read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0 || !session.feed({buf, static_cast<size_t>(n)}, stop))
      break;
  }
  if (stop.load())
    return false;
  session.finish();
  return true;
}

/// Prints a one-line summary of the engine for a person watching the demo.
void print_summary(argus::engine& eng, uint64_t requests, ack_channel& out) {
  auto st = eng.status(5s);
  if (!st) {
    out.line("status unavailable: " + eng.system().render(st.error()));
    return;
  }
  std::ostringstream line;
  line << "demo requests=" << requests;
  for (const auto& c : st->components) {
    line << " | " << c.id << "=" << to_string(c.state);
    if (auto i = c.counters.find("committed_rows"); i != c.counters.end())
      line << " committed_rows=" << i->second;
    if (auto i = c.counters.find("recorded"); i != c.counters.end())
      line << " recorded=" << i->second;
    if (c.restarts > 0)
      line << " restarts=" << c.restarts;
  }
  line << " | client accepted=" << st->counters["client_accepted"]
       << " dropped=" << st->counters["client_dropped_queue_full"];
  out.line(line.str());
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
  double demo_reports_after = 120.0;
  std::optional<uint16_t> http_port;
  bool list_routes = false;
  bool no_http = false;
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
  app
    .add_option("--demo-reports-after", o.demo_reports_after,
                "seconds until the demo renders each of the four reports "
                "(PDF, over the last 7 days) into the report folder")
    ->check(CLI::Range(0.0, 1e6));
  app.add_flag("--ingest-stdin", o.ingest,
               "read length-prefixed msgpack event frames from stdin");
  app.add_option("--db", o.db_path, "SQLite file (overrides storage.path)");
  app.add_option("--http-port", o.http_port,
                 "serve the HTTP API on this port (0: any free port); "
                 "overrides gateway.port and turns the gateway on");
  app.add_flag("--no-http", o.no_http, "do not open the HTTP API");
  app.add_flag("--list-routes", o.list_routes,
               "print the HTTP API's route table (Markdown) and exit");
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
  if (o.http_port) {
    cfg.gateway.enabled = true;
    cfg.gateway.port = *o.http_port;
  }
  if (o.no_http)
    cfg.gateway.enabled = false;
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

/// With the gateway on and no tokens configured, makes a viewer and an
/// admin token for this run (a demo should be usable at once).
/// @returns the tokens made, by role.
std::vector<std::pair<std::string, std::string>>
generate_missing_tokens(argus::config::engine_config& cfg) {
  std::vector<std::pair<std::string, std::string>> made;
  if (!cfg.gateway.enabled || !cfg.gateway.tokens.empty())
    return made;
  std::random_device rd;
  for (const char* role : {"viewer", "admin"}) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string token;
    for (int i = 0; i < 32; ++i)
      token.push_back(hex[rd() % 16]);
    argus::config::api_token t;
    t.role = role;
    t.token = argus::config::secret{token};
    cfg.gateway.tokens[std::string{"generated-"} + role] = std::move(t);
    made.emplace_back(role, std::move(token));
  }
  return made;
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
  auto reports_at = next
                    + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(o.demo_reports_after));
  std::thread reports;
  while (!stop.load()) {
    if (!reports.joinable() && std::chrono::steady_clock::now() >= reports_at)
      reports = std::thread{[&eng] {
        // What a person opens first: the four reports over the demo's week.
        eng.flush();
        auto now = argus::wall_clock_ns();
        for (const char* type : argus::config::report_type_names) {
          argus::report_requested req;
          req.report_type = type;
          req.format = "pdf";
          req.range_start_ns = now - 7 * 86'400'000'000'000;
          req.range_end_ns = now;
          auto g = eng.generate_report(req);
          if (g)
            std::cerr << "argusd: demo report " << type << ": " << g->file_path
                      << "\n";
          else
            std::cerr << "argusd: demo report " << type
                      << " failed: " << argus::describe(g.error()) << "\n";
        }
      }};
    bot.step(argus::wall_clock_ns());
    requests.store(bot.requests());
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      period);
    std::this_thread::sleep_until(next);
  }
  if (reports.joinable())
    reports.join();
}

/// Waits for SIGINT or SIGTERM (@returns 0), for the engine to stop by
/// itself (@returns 1) or for `input_over` (@returns `input_code`),
/// printing the demo's summary every five seconds.
int wait_for_stop(argus::engine& eng, const sigset_t& signals, bool demo,
                  const std::atomic<uint64_t>& demo_requests,
                  const std::atomic<bool>& input_over,
                  const std::atomic<int>& input_code, ack_channel& out) {
  auto last_summary = std::chrono::steady_clock::now();
  for (;;) {
    timespec wait{0, 50'000'000};
    auto sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) {
      out.line("argusd stopping signal=" + std::to_string(sig));
      return 0;
    }
    if (input_over.load())
      return input_code.load();
    if (auto reason = eng.wait_for_termination(0ms)) {
      std::cerr << "argusd: engine stopped: " << eng.system().render(*reason)
                << "\n";
      return 1;
    }
    if (demo && std::chrono::steady_clock::now() - last_summary > 5s) {
      last_summary = std::chrono::steady_clock::now();
      print_summary(eng, demo_requests.load(), out);
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"argusd: the argus monitoring engine daemon"};
  daemon_options o;
  add_options(app, o);
  app.set_version_flag("--version", std::string{"argusd "} + ARGUS_VERSION);
  CLI11_PARSE(app, argc, argv);
  if (!o.check_path.empty())
    return check_config(o.check_path);
  if (o.list_routes) {
    // The table does not depend on the configuration; an engine that never
    // starts is enough to build it.
    argus::engine idle{argus::config::engine_config{}};
    auto routes = argus::gateway::api_routes(idle, {});
    routes.push_back(argus::ctl::ctl_route({}));
    auto web
      = argus::gateway::web_routes(argus::gateway::web_asset_placeholders());
    routes.insert(routes.end(), web.begin(), web.end());
    std::cout << argus::gateway::routes_markdown(routes);
    return 0;
  }
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

  auto generated = generate_missing_tokens(*cfg);
  ack_channel out;
  argus::engine_options opts;
  if (!o.log_level.empty())
    opts.log_level = o.log_level;
  opts.routes.push_back(argus::ctl::ctl_route(cfg->storage.path));
  argus::engine eng{*cfg, opts};
  if (auto err = eng.start()) {
    std::cerr << "argusd: cannot start: " << argus::describe(err) << "\n";
    return 1;
  }
  std::string url;
  if (auto g = eng.http_gateway())
    url = g->url();
  out.line("argusd ready pid=" + std::to_string(::getpid())
           + " db=" + cfg->storage.path + (url.empty() ? "" : " url=" + url));
  if (!url.empty()) {
    // On standard error: standard output is the ack channel.
    std::cerr << "argusd: HTTP API at " << url << "/ (routes: " << url
              << "/api/routes)\n";
    for (const auto& [role, token] : generated)
      std::cerr << "argusd: no tokens configured, generated for this run: "
                << role << " token " << token << "\n";
  }

  std::atomic<bool> stop{false};
  // Without the demo, standard input is argusd's only input: when it ends
  // (or its framing breaks), argusd stops, as a filter does.
  std::atomic<bool> input_over{false};
  std::atomic<int> input_code{0};
  argus::runtime::wire_session session{eng, [&](const std::string& line) {
                                         out.line(line);
                                       }};
  std::thread ingest_thread;
  if (o.ingest)
    ingest_thread = std::thread{[&] {
      if (ingest_stdin(session, stop) && !o.demo) {
        input_code.store(session.broken() ? 1 : 0);
        input_over.store(true);
      }
    }};
  std::thread demo_thread;
  std::atomic<uint64_t> demo_requests{0};
  if (o.demo)
    demo_thread = std::thread{[&] {
      run_demo(eng, o, stop, demo_requests);
    }};
  int exit_code = wait_for_stop(eng, signals, o.demo, demo_requests, input_over,
                                input_code, out);
  stop.store(true);
  if (demo_thread.joinable())
    demo_thread.join();
  if (ingest_thread.joinable())
    ingest_thread.join();
  if (auto err = eng.stop()) {
    std::cerr << "argusd: stop: " << argus::describe(err) << "\n";
    exit_code = exit_code == 0 ? 1 : exit_code;
  }
  out.line("argusd stopped");
  return exit_code;
}
