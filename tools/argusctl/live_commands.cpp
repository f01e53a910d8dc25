// argusctl follow TOPIC [filters] [-o json]: one line per live message, like
// `journalctl -f`; argusctl top: a table of the components, refreshed at
// each status message (every update_interval), like `top`. Both stream from
// `--server`'s /ws and run here, never on the server.

#include "messages/json_text.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <deque>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "tools/argusctl/common.hpp"
#include "tools/argusctl/live_client.hpp"
#include "tools/argusctl/remote.hpp"
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace argus::ctl {

namespace {

using nlohmann::json;

std::atomic<bool> interrupted{false};

void on_interrupt(int) {
  interrupted = true;
}

std::string clock_of(int64_t ns) {
  std::time_t secs = ns / 1'000'000'000;
  std::tm tm{};
  localtime_r(&secs, &tm);
  std::ostringstream os;
  os << std::put_time(&tm, "%H:%M:%S") << '.' << std::setw(3)
     << std::setfill('0') << (ns / 1'000'000) % 1000;
  return os.str();
}

std::string ms(double ns) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(2) << ns / 1e6;
  return os.str();
}

/// One message as a line a person reads.
std::string line_of(const json& m) {
  auto type = m.value("type", std::string{});
  std::ostringstream os;
  auto time = m.value("time_ns", int64_t{0});
  if (type == "request")
    time = m.value("finished_ns", int64_t{0});
  os << (time ? clock_of(time) : std::string(12, ' ')) << "  " << std::left
     << std::setw(20) << type << ' ';
  if (type == "request") {
    os << m.value("corr", "") << ' ' << m.value("operation", "") << ' '
       << m.value("path", "") << ' ' << ms(m.value("duration_ns", 0.0))
       << " ms " << m.value("status", "");
  } else if (type == "drift_alert") {
    os << m.value("severity", "") << ' ' << m.value("model_id", "") << '@'
       << m.value("model_version", "") << ' ' << m.value("message", "");
  } else if (type == "retrain_requested") {
    os << m.value("model_id", "") << '@' << m.value("model_version", "")
       << " trigger=" << m.value("trigger", "");
  } else if (type == "regime_changed") {
    os << m.value("from", "") << " -> " << m.value("to", "")
       << " confidence=" << m.value("confidence", 0.0);
  } else if (type == "feature_rank_changed") {
    os << m.value("model_id", "") << ' ' << m.value("feature", "") << " rank "
       << m.value("from_rank", 0) << " -> " << m.value("to_rank", 0);
  } else if (type == "component") {
    os << m.value("id", "") << ' ' << m.value("was", "?") << " -> "
       << m.value("state", "") << " restarts=" << m.value("restarts", 0);
  } else if (type == "status") {
    for (const auto& c : m.value("components", json::array()))
      os << c.value("id", "") << '=' << c.value("state", "") << ' ';
  } else if (type == "metrics") {
    auto p = m.value("dashboard", json::object())
               .value("performance", json::object());
    os << "pnl=" << p.value("total_pnl", 0.0)
       << " trades=" << p.value("closed_trades", 0);
  } else if (type == "tracking_view") {
    os << m.value("kind", "");
  } else if (type == "dropped") {
    os << m.value("count", 0) << " messages lost (slow reader)";
  } else {
    os << dump_json(m);
  }
  return os.str();
}

/// @returns whether the server is given and takes the token; says why not.
/// (A refused WebSocket upgrade tells the client little: the token is
/// tried on a plain request first, whose answer names the problem.)
bool have_server(const server_options& s, int& code) {
  if (s.url.empty() || s.token.empty()) {
    code = fail("this command streams from a running argusd: --server URL "
                "and --token TOKEN (or $ARGUS_SERVER and $ARGUS_TOKEN)",
                exit_usage);
    return false;
  }
  std::string body;
  long status = 0;
  if (auto why = ask_server(s, "/api/routes", nullptr, body, status);
      !why.empty()) {
    code = fail(why);
    return false;
  }
  if (status != 200) {
    auto doc = json::parse(body, nullptr, false);
    std::string detail
      = doc.is_object() ? doc.value("detail", std::string{}) : std::string{};
    code = fail(s.url + " answered " + std::to_string(status)
                + (detail.empty() ? "" : ": " + detail));
    return false;
  }
  return true;
}

struct follow_options {
  std::string topic;
  std::string component;
  double min_ms = 0;
  bool errors_only = false;
  std::string severity;
  std::string model;
  std::vector<std::string> kinds;
  std::vector<std::string> series;
  std::string output = "table";
  size_t count = 0;
};

int follow(const server_options& server, const follow_options& o) {
  int refused = 0;
  if (!have_server(server, refused))
    return refused;
  json filter = json::object();
  if (!o.component.empty())
    filter["component"] = o.component;
  if (o.min_ms > 0)
    filter["min_duration_ms"] = o.min_ms;
  if (o.errors_only)
    filter["errors_only"] = true;
  if (!o.severity.empty())
    filter["severity"] = o.severity;
  if (!o.model.empty())
    filter["model"] = o.model;
  if (!o.kinds.empty())
    filter["kind"] = o.kinds;
  if (!o.series.empty())
    filter["series"] = o.series;
  json req{{"op", "subscribe"}, {"topic", o.topic}, {"id", "follow"}};
  if (!filter.empty())
    req["filter"] = filter;
  size_t shown = 0;
  int code = 0;
  auto why = stream_live({server.url, server.token, server.ca_file},
                         {dump_json(req)}, [&](const std::string& text) {
                           auto m = json::parse(text, nullptr, false);
                           if (m.is_discarded())
                             return true;
                           auto type = m.value("type", std::string{});
                           if (type == "error") {
                             fail("the server refused the subscription: "
                                    + m.value("reason", std::string{}),
                                  exit_usage);
                             code = exit_usage;
                             return false;
                           }
                           if (type == "subscribed")
                             return true;
                           if (o.output == "json")
                             out() << text << '\n';
                           else
                             out() << line_of(m) << '\n';
                           out().flush();
                           return o.count == 0 || ++shown < o.count;
                         });
  if (code)
    return code;
  if (!why.empty())
    return fail(why);
  return 0;
}

/// The terminal in "one key at a time, no echo" mode for as long as it
/// lives (when standard input is a terminal).
class raw_terminal {
public:
  raw_terminal() {
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0)
      return;
    auto raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    active_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  ~raw_terminal() {
    if (active_)
      tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  raw_terminal(const raw_terminal&) = delete;
  raw_terminal& operator=(const raw_terminal&) = delete;

  bool active() const {
    return active_;
  }

private:
  termios saved_{};
  bool active_ = false;
};

/// One frame of `top` from two status snapshots (rates are their
/// difference) and the tracer's latencies.
std::string top_frame(const json& now, const json* before,
                      const json& latencies) {
  std::ostringstream os;
  auto k = now.value("counters", json::object());
  auto counter = [](const json& c, const char* name) {
    return c.value(name, uint64_t{0});
  };
  double secs = 0;
  if (before)
    secs = static_cast<double>(now.value("time_ns", int64_t{0})
                               - before->value("time_ns", int64_t{0}))
           / 1e9;
  auto rate = [&](const json& c, const json* b, const char* name) {
    if (!b || secs <= 0)
      return std::string{"-"};
    auto d = static_cast<double>(counter(c, name))
             - static_cast<double>(counter(*b, name));
    std::ostringstream r;
    r << std::fixed << std::setprecision(0) << d / secs;
    return r.str();
  };
  uint64_t dropped = 0;
  for (auto& [name, v] : k.items())
    if (name.rfind("client_dropped", 0) == 0)
      dropped += v.get<uint64_t>();
  const json* bk = before ? &(*before)["counters"] : nullptr;
  os << "argus  " << clock_of(now.value("time_ns", int64_t{0})) << "  events/s "
     << rate(k, bk, "client_accepted") << "  queued "
     << counter(k, "client_queued") << "  dropped " << dropped << "  unrouted "
     << counter(k, "unrouted") << "  ws clients "
     << counter(k, "gateway_websockets_open") << "\n\n";
  text_table t{{"COMPONENT", "STATE", "RESTARTS", "MAILBOX", "LAST ERROR"}};
  std::map<std::string, std::pair<double, double>> lat;
  for (const auto& op : latencies.value("operations", json::array())) {
    auto& x = lat[op.value("component", std::string{})];
    auto l = op.value("latency", json::object());
    x.first = std::max(x.first, l.value("p50_ns", 0.0));
    x.second = std::max(x.second, l.value("p99_ns", 0.0));
  }
  for (const auto& c : now.value("components", json::array()))
    t.add({c.value("id", ""), c.value("state", ""),
           std::to_string(c.value("restarts", 0)),
           std::to_string(c.value("mailbox_size", 0)),
           c.value("last_error", "")});
  t.print(os);
  os << '\n';
  // The bot's components as the tracer saw them: per component, its
  // slowest operation's percentiles.
  text_table l{{"BOT COMPONENT", "P50 MS", "P99 MS"}};
  for (const auto& [name, x] : lat)
    l.add({name, ms(x.first), ms(x.second)});
  l.print(os);
  return os.str();
}

int top(const server_options& server, size_t iterations) {
  int refused = 0;
  if (!have_server(server, refused))
    return refused;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  raw_terminal term;
  bool interactive = term.active() && isatty(STDOUT_FILENO);
  std::mutex mtx;
  std::deque<std::string> inbox;
  std::string ended;
  std::atomic<bool> done{false};
  // The socket on its own thread: the keys are read here meanwhile.
  std::thread reader{[&] {
    auto why = stream_live({server.url, server.token, server.ca_file},
                           {R"({"op":"subscribe","topic":"status","id":"top"})",
                            R"({"op":"snapshot","topic":"status"})"},
                           [&](const std::string& text) {
                             std::lock_guard<std::mutex> guard{mtx};
                             inbox.push_back(text);
                             return !done.load();
                           });
    std::lock_guard<std::mutex> guard{mtx};
    ended = why.empty() ? "closed" : why;
  }};
  std::optional<json> before;
  size_t frames = 0;
  int code = 0;
  while (!interrupted) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (term.active() && ::poll(&p, 1, 100) > 0) {
      char key = 0;
      if (::read(STDIN_FILENO, &key, 1) == 1 && (key == 'q' || key == 'Q'))
        break;
    } else if (!term.active()) {
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    std::deque<std::string> got;
    {
      std::lock_guard<std::mutex> guard{mtx};
      got.swap(inbox);
      if (got.empty() && !ended.empty()) {
        if (ended != "closed")
          code = fail(ended);
        break;
      }
    }
    for (const auto& text : got) {
      auto m = json::parse(text, nullptr, false);
      if (m.is_discarded() || m.value("type", std::string{}) != "status")
        continue;
      if (before && m.value("seq", 0) <= before->value("seq", 0))
        continue; // the snapshot of one already shown
      json latencies = json::object();
      std::string body;
      long status = 0;
      if (ask_server(server, "/api/tracing/performance", nullptr, body, status)
            .empty()
          && status == 200)
        latencies = json::parse(body, nullptr, false);
      if (latencies.is_discarded())
        latencies = json::object();
      if (interactive)
        out() << "\x1b[H\x1b[2J";
      out() << top_frame(m, before ? &*before : nullptr, latencies);
      if (interactive)
        out() << "\n(q or Ctrl-C quits)";
      out() << '\n';
      out().flush();
      before = std::move(m);
      ++frames;
    }
    if (iterations > 0 && frames >= iterations)
      break;
  }
  done = true;
  // The reader notices at its next message (each update_interval); the
  // process does not wait for it.
  reader.detach();
  return code;
}

} // namespace

void add_live_commands(CLI::App& app, command_table& table,
                       const server_options& server) {
  auto o = std::make_shared<follow_options>();
  auto* f = app.add_subcommand(
    "follow", "stream a live topic from --server: metrics, traces, alerts, "
              "tracking or status");
  f->add_option("topic", o->topic, "the topic")
    ->required()
    ->check(
      CLI::IsMember({"metrics", "traces", "alerts", "tracking", "status"}));
  f->add_option("--component", o->component, "traces: this component's");
  f->add_option("--min-ms", o->min_ms, "traces: at least this long");
  f->add_flag("--errors-only", o->errors_only, "traces: failed ones only");
  f->add_option("--severity", o->severity, "alerts: at or above this level");
  f->add_option("--model", o->model, "alerts: of this model");
  f->add_option("--kind", o->kinds,
                "tracking: regimes, features, ensembles, decisions");
  f->add_option("--series", o->series, "metrics: these series");
  f->add_option("-n,--count", o->count, "stop after this many messages");
  f->add_option("-o,--output", o->output, "table (one line each) or json")
    ->check(CLI::IsMember({"table", "json"}));
  table.push_back({f, [o, &server] {
                     return follow(server, *o);
                   }});
  auto iterations = std::make_shared<size_t>(0);
  auto* t = app.add_subcommand(
    "top", "a live table of the components, rates, queues, drops and "
           "latencies from --server (q or Ctrl-C quits)");
  t->add_option("-n,--iterations", *iterations,
                "stop after this many refreshes (0: until q)");
  table.push_back({t, [iterations, &server] {
                     return top(server, *iterations);
                   }});
}

} // namespace argus::ctl
