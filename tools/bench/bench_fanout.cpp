// Live fan-out as users run it: a real `argusd --demo` (its own process,
// with the demo bot recording on it), and N WebSocket clients subscribed to
// `metrics` and `traces` (Beast's handshake, deflate negotiated, all on one
// thread of this process; see `payload_cache` for how they read). Per
// message received: the lag from the event to the client, i.e. for a
// request the time from the bot's recording of it to its first
// publication's arrival here, for a snapshot the time from the dashboard's
// own timestamp. Reported: p50/p99 lag, messages received, the spans argusd
// persisted per second with the clients against the same run without them,
// argusd's CPU without and with the clients, and its memory per idle
// connection.
//
//   build/tools/bench_fanout --benchmark_repetitions=3
//   (one client; 200 with gateway.io_threads 1, then 2; 200 inflating
//   every message each; ARGUS_BENCH_SECONDS per phase, default 10)

#include "runtime/gateway/websocket/deflate.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// argusd --demo as a child process; its port and viewer token.
struct daemon {
  pid_t pid = 0;
  std::string port;
  std::string token;

  daemon(const std::string& dir, int64_t io_threads) {
    std::string config = dir + "/fanout.yaml";
    std::ofstream{config} << "monitoring:\n  metrics_dashboard:\n"
                             "    update_interval: 1s\n"
                             "  gateway:\n    websocket_max_connections: 1024\n"
                             "    io_threads: "
                          << io_threads << "\n";
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0)
      std::abort();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::string db = dir + "/fanout.db";
    std::vector<std::string> args{
      ARGUSD_PATH, "--config",    config, "--demo",      "--db",
      db,          "--http-port", "0",    "--log-level", "warn"};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid, ARGUSD_PATH, &fa, nullptr, argv.data(), environ) != 0)
      std::abort();
    close(out[1]);
    close(err[1]);
    auto line = [](int fd) {
      std::string s;
      char c;
      while (read(fd, &c, 1) == 1 && c != '\n')
        s += c;
      return s;
    };
    std::smatch m;
    auto ready = line(out[0]);
    if (!std::regex_search(ready, m, std::regex{"url=http://127.0.0.1:(\\d+)"}))
      std::abort();
    port = m[1];
    for (int i = 0; i < 10 && token.empty(); ++i) {
      auto l = line(err[0]);
      if (std::regex_search(l, m, std::regex{"viewer token ([0-9a-f]{32})"}))
        token = m[1];
    }
    // Keep draining both pipes.
    std::thread{[fd = out[0]] {
      char b[4096];
      while (read(fd, b, sizeof b) > 0) {
      }
    }}.detach();
    std::thread{[fd = err[0]] {
      char b[4096];
      while (read(fd, b, sizeof b) > 0) {
      }
    }}.detach();
  }

  ~daemon() {
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
  }

  /// Resident memory in bytes.
  size_t rss() const {
    std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
    std::string key;
    while (in >> key)
      if (key == "VmRSS:") {
        size_t kb = 0;
        in >> kb;
        return kb * 1024;
      }
    return 0;
  }

  /// CPU time argusd used so far (user and system), in seconds.
  double cpu_seconds() const {
    std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
    std::string stat{std::istreambuf_iterator<char>{in}, {}};
    // Fields 14 and 15 (utime, stime), counted after the command's ")".
    std::istringstream rest{stat.substr(stat.rfind(')') + 2)};
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i)
      if (i >= 14)
        ticks += std::stod(field);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  /// The storage writer's committed rows and the tracer's spans received.
  std::pair<uint64_t, uint64_t> counters() const {
    std::string body;
    auto* c = curl_easy_init();
    auto url = "http://127.0.0.1:" + port + "/api/status";
    auto auth = "Authorization: Bearer " + token;
    curl_slist* h = curl_slist_append(nullptr, auth.c_str());
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(
      c, CURLOPT_WRITEFUNCTION,
      +[](char* p, size_t s, size_t n, void* u) -> size_t {
        static_cast<std::string*>(u)->append(p, s * n);
        return s * n;
      });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_perform(c);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    auto j = nlohmann::json::parse(body, nullptr, false);
    uint64_t spans = 0, rows = 0;
    if (j.is_object())
      for (const auto& comp : j["components"]) {
        if (comp["id"] == "tracer")
          spans = comp["counters"].value("kept_sampled", uint64_t{0})
                  + comp["counters"].value("kept_error", uint64_t{0})
                  + comp["counters"].value("kept_slow", uint64_t{0});
        if (comp["id"] == "storage_writer")
          rows = comp["counters"].value("committed_rows", uint64_t{0});
      }
    return {spans, rows};
  }
};

/// What 200 clients on 200 machines would each inflate on their own: here
/// they share this process's one thread, so a frame's bytes are inflated
/// once per distinct payload (the server sends every client the same bytes)
/// and the rest read it from here. Each frame's arrival is still timed at
/// its own socket.
class payload_cache {
public:
  const std::string& inflate(const std::string& compressed) {
    auto it = seen_.find(compressed);
    if (it != seen_.end())
      return it->second;
    if (seen_.size() > 4096)
      seen_.clear();
    // argus negotiates server_no_context_takeover: each message alone.
    std::string out;
    argus::gateway::websocket::message_inflater{true}.inflate(
      compressed, 64 * 1024 * 1024, out);
    return seen_.emplace(compressed, std::move(out)).first->second;
  }

private:
  std::unordered_map<std::string, std::string> seen_;
};

/// One client: subscribes, then reads forever, noting each message's lag.
/// `inflate_each`: Beast reads (and inflates) every message itself, as a
/// lone client would; otherwise frames are read off the socket and their
/// payloads inflated once per distinct payload (`payload_cache`).
struct client : std::enable_shared_from_this<client> {
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buf;
  std::string raw;
  std::array<char, 64 * 1024> chunk{};
  payload_cache* cache;
  bool inflate_each;
  /// Lags of requests and of snapshots.
  std::vector<int64_t>* lags;
  std::vector<int64_t>* snapshot_lags;
  uint64_t* received;
  bool subscribe;

  client(net::io_context& ioc, payload_cache* c, bool each,
         std::vector<int64_t>* l, std::vector<int64_t>* sl, uint64_t* r, bool s)
      : ws(ioc),
        cache(c),
        inflate_each(each),
        lags(l),
        snapshot_lags(sl),
        received(r),
        subscribe(s) {
  }

  void start(const tcp::endpoint& ep, const std::string& token) {
    ws.next_layer().connect(ep);
    websocket::permessage_deflate pmd;
    pmd.client_enable = true;
    ws.set_option(pmd);
    ws.handshake("127.0.0.1", "/ws?access_token=" + token);
    if (subscribe) {
      ws.write(
        net::buffer(std::string{R"({"op":"subscribe","topic":"metrics"})"}));
      ws.write(
        net::buffer(std::string{R"({"op":"subscribe","topic":"traces"})"}));
    }
    inflate_each ? read() : read_raw();
  }

  void read() {
    ws.async_read(
      buf, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec)
          return;
        self->note(beast::buffers_to_string(self->buf.data()), now_ns());
        self->buf.consume(self->buf.size());
        self->read();
      });
  }

  /// Server frames (unmasked, one frame a message: argus never fragments).
  void read_raw() {
    ws.next_layer().async_read_some(
      net::buffer(chunk),
      [self = shared_from_this()](beast::error_code ec, size_t n) {
        if (ec)
          return;
        auto t = now_ns();
        self->raw.append(self->chunk.data(), n);
        self->frames(t);
        self->read_raw();
      });
  }

  void frames(int64_t t) {
    size_t pos = 0;
    while (raw.size() - pos >= 2) {
      auto p = reinterpret_cast<const uint8_t*>(raw.data() + pos);
      uint64_t len = p[1] & 0x7f;
      size_t head = 2;
      if (len == 126) {
        if (raw.size() - pos < 4)
          break;
        len = (uint64_t{p[2]} << 8) | p[3];
        head = 4;
      } else if (len == 127) {
        if (raw.size() - pos < 10)
          break;
        len = 0;
        for (int i = 0; i < 8; ++i)
          len = (len << 8) | p[2 + i];
        head = 10;
      }
      if (raw.size() - pos < head + len)
        break;
      bool compressed = p[0] & 0x40;
      auto op = p[0] & 0x0f;
      if (op == 0x1) {
        std::string payload = raw.substr(pos + head, len);
        note(compressed ? cache->inflate(payload) : payload, t);
      }
      pos += head + len;
    }
    raw.erase(0, pos);
  }

  /// The event's time without parsing the whole message. A request: when
  /// the bot recorded it, `finished_ns - duration_ns` (the demo records a
  /// request's events at once, stamped with its simulated timeline, so
  /// `finished_ns` alone lies up to 55 ms in the future), first publication
  /// only (a later `revision` answers spans that came later). A snapshot:
  /// its last `time_ns` (the dashboard's own clock).
  void note(const std::string& text, int64_t t) {
    auto number = [&](const char* key, bool last) -> int64_t {
      auto pos = last ? text.rfind(key) : text.find(key);
      if (pos == std::string::npos)
        return 0;
      return std::strtoll(text.c_str() + pos + std::strlen(key), nullptr, 10);
    };
    int64_t at = 0;
    auto* into = lags;
    if (text.find(R"("type":"request")") != std::string::npos) {
      if (text.find(R"("revision":0)") != std::string::npos)
        at = number(R"("finished_ns":)", false)
             - number(R"("duration_ns":)", false);
    } else if (text.find(R"("type":"metrics")") != std::string::npos) {
      at = number(R"("time_ns":)", true);
      into = snapshot_lags;
    } else {
      return;
    }
    ++*received;
    if (at > 0)
      into->push_back(t - at);
  }
};

int64_t seconds() {
  if (auto s = std::getenv("ARGUS_BENCH_SECONDS"))
    return std::max(1, std::atoi(s));
  return 10;
}

int64_t quantile(std::vector<int64_t> xs, double q) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto i = static_cast<size_t>(q * static_cast<double>(xs.size() - 1));
  return xs[i];
}

void BM_fanout(benchmark::State& state) {
  auto n = static_cast<size_t>(state.range(0));
  char tmpl[] = "/tmp/argus-fanout-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  daemon d{dir, state.range(1)};
  std::this_thread::sleep_for(std::chrono::seconds{3}); // demo warmed up
  tcp::endpoint ep{net::ip::make_address("127.0.0.1"),
                   static_cast<unsigned short>(std::stoi(d.port))};
  for (auto _ : state) {
    // Without clients: the persisted-spans rate of this run.
    auto [s0, r0] = d.counters();
    auto quiet_cpu0 = d.cpu_seconds();
    std::this_thread::sleep_for(std::chrono::seconds{seconds()});
    auto [s1, r1] = d.counters();
    double quiet = static_cast<double>(s1 - s0) / seconds();
    auto quiet_cpu = d.cpu_seconds();
    // Idle connections: memory each.
    net::io_context ioc;
    payload_cache cache;
    bool each = state.range(2) != 0;
    std::vector<int64_t> lags, snapshot_lags;
    uint64_t received = 0;
    auto rss0 = d.rss();
    std::vector<std::shared_ptr<client>> idle;
    for (size_t i = 0; i < n; ++i) {
      idle.push_back(std::make_shared<client>(
        ioc, &cache, each, &lags, &snapshot_lags, &received, false));
      idle.back()->start(ep, d.token);
    }
    std::this_thread::sleep_for(std::chrono::seconds{1});
    auto rss1 = d.rss();
    for (auto& c : idle)
      c->ws.next_layer().close();
    idle.clear();
    ioc.restart();
    ioc.poll();
    // Subscribed clients, read on this process's own thread.
    std::vector<std::shared_ptr<client>> clients;
    for (size_t i = 0; i < n; ++i) {
      clients.push_back(std::make_shared<client>(
        ioc, &cache, each, &lags, &snapshot_lags, &received, true));
      clients.back()->start(ep, d.token);
    }
    ioc.restart(); // poll() ran out of work above, which stops it
    std::thread io{[&] {
      ioc.run_for(std::chrono::seconds{seconds() + 1});
    }};
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    auto [s2, r2] = d.counters();
    auto cpu2 = d.cpu_seconds();
    std::this_thread::sleep_for(std::chrono::seconds{seconds()});
    auto [s3, r3] = d.counters();
    auto cpu3 = d.cpu_seconds();
    io.join();
    double busy = static_cast<double>(s3 - s2) / seconds();
    state.counters["clients"] = static_cast<double>(n);
    state.counters["io_threads"] = static_cast<double>(state.range(1));
    state.counters["inflate_each"] = each ? 1 : 0;
    state.counters["received"] = static_cast<double>(received);
    state.counters["request_lag_p50_ms"] = quantile(lags, 0.5) / 1e6;
    state.counters["request_lag_p99_ms"] = quantile(lags, 0.99) / 1e6;
    state.counters["snapshot_lag_p50_ms"] = quantile(snapshot_lags, 0.5) / 1e6;
    state.counters["snapshot_lag_p99_ms"] = quantile(snapshot_lags, 0.99) / 1e6;
    state.counters["spans_per_s_quiet"] = quiet;
    state.counters["spans_per_s_clients"] = busy;
    state.counters["spans_ratio"] = quiet > 0 ? busy / quiet : 0;
    // argusd's CPU (percent of one core) without clients, then with them.
    state.counters["argusd_cpu_pct_quiet"]
      = 100 * (quiet_cpu - quiet_cpu0) / seconds();
    state.counters["argusd_cpu_pct_clients"] = 100 * (cpu3 - cpu2) / seconds();
    state.counters["rows_per_s_clients"]
      = static_cast<double>(r3 - r2) / seconds();
    state.counters["rss_per_idle_kib"]
      = (static_cast<double>(rss1) - static_cast<double>(rss0)) / n / 1024;
    static_cast<void>(r0);
    static_cast<void>(r1);
  }
}

// One client first: the pipeline's own lag (engine to socket), against
// which the 200 clients' is the fan-out's cost; argusd's gateway with one
// I/O thread against its default two; and last the same with every client
// inflating every message itself on this process's one thread (what the
// clients cost here, not what argusd does).
BENCHMARK(BM_fanout)
  ->ArgNames({"clients", "io_threads", "inflate_each"})
  ->Args({1, 2, 0})
  ->Args({200, 1, 0})
  ->Args({200, 2, 0})
  ->Args({200, 2, 1})
  ->Iterations(1)
  ->Unit(benchmark::kSecond);

} // namespace

BENCHMARK_MAIN();
