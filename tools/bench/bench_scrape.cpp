// A Prometheus scrape of `GET /metrics` over loopback HTTP, in the setting a
// user runs: a running engine with its gateway, N live series, and a bot
// thread updating them while the scrape runs. The peer is prometheus-cpp
// (Debian's prometheus-cpp-dev) serving the same N series through its own
// Exposer, scraped by the same client in the same run.
//
//   build/tools/bench_scrape --benchmark_repetitions=5 \
//     --benchmark_report_aggregates_only=true
//
// Target: a scrape of 10 000 series <= 20 ms. A scrape counts as accepted
// only when it answers 200 with at least N samples of the bench's series.

#include "runtime/gateway/gateway.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/bench_engine.hpp"
#include <curl/curl.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace {

using namespace std::chrono_literals;

// Half counters, half gauges, over names of 1 000 label values each (the
// engine's default `max_series_per_metric`).
constexpr size_t values_per_name = 1000;
const char* const token = "bench-scrape-viewer-token-000001";

std::string symbol(size_t i) {
  return "SYM" + std::to_string(i);
}

std::string name_of(size_t family, bool counter) {
  return (counter ? "bench_orders_" : "bench_position_")
         + std::to_string(family) + (counter ? "_total" : "");
}

/// One HTTP client for both servers: a kept-alive libcurl easy handle.
class scraper {
public:
  explicit scraper(std::string url, std::string bearer = {}) : url_(url) {
    curl_ = curl_easy_init();
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &scraper::take);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body_);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 10'000L);
    if (!bearer.empty()) {
      auth_ = "Authorization: Bearer " + bearer;
      headers_ = curl_slist_append(nullptr, auth_.c_str());
      curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    }
  }

  ~scraper() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }

  scraper(const scraper&) = delete;
  scraper& operator=(const scraper&) = delete;

  /// @returns the status code (0: no answer).
  long get() {
    body_.clear();
    auto rc = curl_easy_perform(curl_);
    // A server may close a kept-alive connection as the next request goes
    // out (civetweb, behind prometheus-cpp, does): send it again on a new
    // one, as Prometheus's own HTTP client does for an idempotent request.
    if (rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING) {
      ++resent_;
      body_.clear();
      rc = curl_easy_perform(curl_);
    }
    if (rc != CURLE_OK)
      return 0;
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return status;
  }

  const std::string& body() const {
    return body_;
  }

  /// Requests sent again after the connection closed under them.
  size_t resent() const {
    return resent_;
  }

private:
  static size_t take(char* data, size_t size, size_t n, void* to) {
    static_cast<std::string*>(to)->append(data, size * n);
    return size * n;
  }

  std::string url_;
  std::string auth_;
  std::string body_;
  size_t resent_ = 0;
  CURL* curl_ = nullptr;
  curl_slist* headers_ = nullptr;
};

/// Samples of the bench's own series in an exposition.
size_t bench_samples(const std::string& text) {
  size_t n = 0;
  for (size_t at = text.find("\nbench_"); at != std::string::npos;
       at = text.find("\nbench_", at + 1))
    ++n;
  return n;
}

/// A bot updating every series round-robin, about `per_second` updates per
/// second, until stopped.
template <class Update>
class bot_thread {
public:
  bot_thread(size_t series, size_t per_second, Update update)
      : thread_([this, series, per_second, update] {
          size_t i = 0;
          const size_t per_ms = per_second / 1000;
          while (!stop_) {
            for (size_t k = 0; k < per_ms; ++k, i = (i + 1) % series)
              update(i);
            std::this_thread::sleep_for(1ms);
          }
        }) {
  }

  ~bot_thread() {
    stop_ = true;
    thread_.join();
  }

private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// Scrapes once per iteration; a scrape is accepted when it answers 200
/// with every series the bench made (a request sent again counts once, its
/// time included).
void scrape_loop(benchmark::State& state, scraper& http, size_t series) {
  size_t scrapes = 0, ok = 0, bytes = 0, samples = 0;
  for (auto _ : state) {
    auto status = http.get();
    ++scrapes;
    samples = bench_samples(http.body());
    bytes = http.body().size();
    if (status == 200 && samples >= series)
      ++ok;
  }
  state.counters["accepted"]
    = scrapes > 0 ? static_cast<double>(ok) / static_cast<double>(scrapes) : 0;
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["bench_samples"] = static_cast<double>(samples);
  state.counters["resent"] = static_cast<double>(http.resent());
}

void scrape_argus(benchmark::State& state) {
  const auto series = static_cast<size_t>(state.range(0));
  argus::bench::bench_engine fx{"argus-bench-scrape", 1 << 16,
                                [](argus::config::engine_config& cfg) {
                                  cfg.gateway.enabled = true;
                                  cfg.gateway.port = 0;
                                  argus::config::api_token t;
                                  t.role = "viewer";
                                  t.token = argus::config::secret{token};
                                  cfg.gateway.tokens["bench"] = t;
                                }};
  if (!fx.start(state))
    return;
  auto& client = fx.eng.client();
  std::vector<argus::runtime::counter_handle> counters;
  std::vector<argus::runtime::gauge_handle> gauges;
  for (size_t i = 0; i < series / 2; ++i) {
    auto family = i / values_per_name;
    counters.push_back(
      client.counter(name_of(family, true), {{"symbol", symbol(i)}}));
    gauges.push_back(
      client.gauge(name_of(family, false), {{"symbol", symbol(i)}}));
  }
  bot_thread bot{series / 2, 100'000, [&](size_t i) {
                   counters[i].inc();
                   gauges[i].set(static_cast<double>(i));
                 }};
  scraper http{fx.eng.http_gateway()->url() + "/metrics", token};
  scrape_loop(state, http, series);
}
BENCHMARK(scrape_argus)
  ->Arg(10'000)
  ->Unit(benchmark::kMillisecond)
  ->UseRealTime();

void scrape_prometheus_cpp(benchmark::State& state) {
  const auto series = static_cast<size_t>(state.range(0));
  prometheus::Exposer exposer{"127.0.0.1:0"};
  auto registry = std::make_shared<prometheus::Registry>();
  std::vector<prometheus::Counter*> counters;
  std::vector<prometheus::Gauge*> gauges;
  for (size_t family = 0; family * values_per_name < series / 2; ++family) {
    auto& c = prometheus::BuildCounter()
                .Name(name_of(family, true))
                .Register(*registry);
    auto& g = prometheus::BuildGauge()
                .Name(name_of(family, false))
                .Register(*registry);
    for (size_t i = family * values_per_name;
         i < std::min(series / 2, (family + 1) * values_per_name); ++i) {
      counters.push_back(&c.Add({{"symbol", symbol(i)}}));
      gauges.push_back(&g.Add({{"symbol", symbol(i)}}));
    }
  }
  exposer.RegisterCollectable(registry);
  bot_thread bot{series / 2, 100'000, [&](size_t i) {
                   counters[i]->Increment();
                   gauges[i]->Set(static_cast<double>(i));
                 }};
  scraper http{"http://127.0.0.1:"
               + std::to_string(exposer.GetListeningPorts().front())
               + "/metrics"};
  scrape_loop(state, http, series);
}
BENCHMARK(scrape_prometheus_cpp)
  ->Arg(10'000)
  ->Unit(benchmark::kMillisecond)
  ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
