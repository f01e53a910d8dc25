#include "actors/metrics_dashboard/system_health.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <thread>

#include "tests/support/temp_dir.hpp"
#include <unistd.h>

using namespace argus;

namespace {

const std::string fixtures = ARGUS_SOURCE_DIR "/tests/fixtures/proc";

} // namespace

TEST_CASE("/proc/<pid>/stat is parsed from the last parenthesis") {
  auto text = test::read_file(fixtures + "/self/stat");
  auto s = parse_proc_stat(text);
  REQUIRE(s);
  CHECK(s->utime_ticks == 1234);
  CHECK(s->stime_ticks == 567);
  CHECK(s->threads == 7);
  CHECK(s->rss_pages == 5120);
  CHECK(!parse_proc_stat("22591 (trunc) R 1 2 3\n"));
  CHECK(!parse_proc_stat("no parenthesis at all"));
  CHECK(!parse_proc_stat(""));
}

TEST_CASE("/proc/loadavg and /proc/meminfo fields") {
  auto load = parse_loadavg(test::read_file(fixtures + "/loadavg"));
  REQUIRE(load);
  CHECK(load->one == 1.82);
  CHECK(load->fifteen == 1.84);
  CHECK(!parse_loadavg("garbage"));
  auto meminfo = test::read_file(fixtures + "/meminfo");
  CHECK(parse_proc_field(meminfo, "MemTotal") == 24684084ull * 1024);
  CHECK(parse_proc_field(meminfo, "MemAvailable") == 24306596ull * 1024);
  // A key is matched whole, not as a prefix.
  CHECK(!parse_proc_field(meminfo, "Mem"));
  CHECK(!parse_proc_field("Threads:\tlots\n", "Threads"));
  CHECK(parse_proc_field("Threads:\t12\n", "Threads") == 12u);
}

TEST_CASE("health_sampler reads a captured /proc tree and says what is "
          "missing") {
  test::temp_dir disk;
  health_sampler sampler{fixtures, disk.path().string()};
  auto s = sampler.sample(1'000'000'000);
  CHECK(s.missing.empty());
  CHECK(s.process_threads == 7);
  CHECK(s.process_rss_bytes
        == 5120u * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)));
  CHECK(s.process_open_fds == 4);
  CHECK(s.load.five == 1.79);
  CHECK(s.memory_total_bytes == 24684084ull * 1024);
  CHECK(s.disk_total_bytes > 0);
  CHECK(s.disk_free_bytes <= s.disk_total_bytes);
  // CPU % needs two samples; the fixture does not move, so 0 %.
  CHECK(std::isnan(s.process_cpu_percent));
  CHECK(sampler.sample(2'000'000'000).process_cpu_percent == 0);
  health_sampler broken{disk.path().string(), ""};
  auto b = broken.sample(1);
  CHECK(b.missing == "self/stat,self/fd,loadavg,meminfo,disk");
}

TEST_CASE("health_sampler on the live /proc sees this process burn CPU") {
  health_sampler sampler{"/proc", "/"};
  auto t0 = std::chrono::steady_clock::now();
  auto ns = [&] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now() - t0)
      .count();
  };
  sampler.sample(ns() + 1);
  // Spin for a while: the next sample sees CPU time spent.
  volatile double sink = 0;
  while (ns() < 300'000'000)
    sink = sink + std::sqrt(static_cast<double>(ns()));
  auto s = sampler.sample(ns());
  CHECK(s.missing.empty());
  CHECK(s.process_cpu_percent > 10);
  CHECK(s.process_threads >= 1);
  CHECK(s.process_rss_bytes > 1'000'000);
  CHECK(s.process_open_fds >= 3);
}
