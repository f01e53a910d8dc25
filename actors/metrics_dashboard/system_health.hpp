#pragma once

// System health from /proc: the process's CPU, memory, threads and
// open descriptors; the host's load and memory; free space on the
// database's filesystem. Parsing is separate from reading, so the tests feed
// captured /proc files; the sampler reads from a configurable root.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace argus {

/// Fields of /proc/<pid>/stat (see proc(5)).
struct proc_stat {
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t threads = 0;
  uint64_t rss_pages = 0;
};

/// @returns the fields of a /proc/<pid>/stat line, or nothing if malformed.
/// The command name may hold spaces and parentheses; fields are counted
/// from the last ')'.
std::optional<proc_stat> parse_proc_stat(std::string_view text);

/// The three load averages of /proc/loadavg.
struct load_average {
  double one = 0;
  double five = 0;
  double fifteen = 0;
};
std::optional<load_average> parse_loadavg(std::string_view text);

/// @returns the value of `key` in a /proc/meminfo or /proc/<pid>/status
///          text, in bytes when the file says kB.
std::optional<uint64_t> parse_proc_field(std::string_view text,
                                         std::string_view key);

/// One sample of everything below.
struct health_sample {
  int64_t time_ns = 0;
  /// Of one core, over the interval since the previous sample (NaN on the
  /// first).
  double process_cpu_percent = 0;
  uint64_t process_rss_bytes = 0;
  uint64_t process_threads = 0;
  uint64_t process_open_fds = 0;
  load_average load;
  uint64_t memory_available_bytes = 0;
  uint64_t memory_total_bytes = 0;
  uint64_t disk_free_bytes = 0;
  uint64_t disk_total_bytes = 0;
  /// What could not be read, if anything (e.g. "loadavg").
  std::string missing;
};

class health_sampler {
public:
  /// Reads `<proc_root>/self/...` and `<proc_root>/loadavg`,
  /// `<proc_root>/meminfo`; disk figures are of `disk_path`'s filesystem.
  health_sampler() : health_sampler("/proc", "") {
  }
  health_sampler(std::string proc_root, std::string disk_path);

  /// Takes one sample at `now_ns` (CPU % needs the previous one).
  health_sample sample(int64_t now_ns);

private:
  std::string proc_root_;
  std::string disk_path_;
  long ticks_per_second_;
  long page_size_;
  int64_t last_time_ns_ = 0;
  uint64_t last_cpu_ticks_ = 0;
  bool has_last_ = false;
};

} // namespace argus
