#include "actors/metrics_dashboard/system_health.hpp"

#include "messages/numbers.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include <sys/statvfs.h>
#include <unistd.h>

namespace argus {

namespace {

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void note_missing(std::string& missing, const char* what) {
  if (!missing.empty())
    missing += ",";
  missing += what;
}

} // namespace

std::optional<proc_stat> parse_proc_stat(std::string_view text) {
  auto close = text.rfind(')');
  if (close == std::string_view::npos)
    return std::nullopt;
  // Fields after the name, numbered as in proc(5): 3 is the state.
  std::vector<std::string_view> fields;
  size_t i = close + 1;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n'))
      ++i;
    auto start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n')
      ++i;
    if (i > start)
      fields.push_back(text.substr(start, i - start));
  }
  auto field = [&](size_t n) -> std::optional<uint64_t> {
    // fields[0] is field 3.
    if (n < 3 || n - 3 >= fields.size())
      return std::nullopt;
    return parse_digits(fields[n - 3]);
  };
  auto utime = field(14);
  auto stime = field(15);
  auto threads = field(20);
  auto rss = field(24);
  if (!utime || !stime || !threads || !rss)
    return std::nullopt;
  return proc_stat{*utime, *stime, *threads, *rss};
}

std::optional<load_average> parse_loadavg(std::string_view text) {
  std::istringstream in{std::string{text}};
  load_average x;
  if (!(in >> x.one >> x.five >> x.fifteen))
    return std::nullopt;
  return x;
}

std::optional<uint64_t> parse_proc_field(std::string_view text,
                                         std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    auto line = text.substr(
      pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    if (line.size() <= key.size() || line.substr(0, key.size()) != key
        || line[key.size()] != ':')
      continue;
    auto rest = line.substr(key.size() + 1);
    auto b = rest.find_first_not_of(" \t");
    if (b == std::string_view::npos)
      return std::nullopt;
    auto e = rest.find_first_of(" \t", b);
    auto number = parse_digits(rest.substr(
      b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (!number)
      return std::nullopt;
    auto unit
      = e == std::string_view::npos ? std::string_view{} : rest.substr(e);
    if (unit.find("kB") != std::string_view::npos)
      return *number * 1024;
    return number;
  }
  return std::nullopt;
}

health_sampler::health_sampler(std::string proc_root, std::string disk_path)
    : proc_root_(std::move(proc_root)),
      disk_path_(std::move(disk_path)),
      ticks_per_second_(::sysconf(_SC_CLK_TCK)),
      page_size_(::sysconf(_SC_PAGESIZE)) {
  if (ticks_per_second_ <= 0)
    ticks_per_second_ = 100;
  if (page_size_ <= 0)
    page_size_ = 4096;
}

health_sample health_sampler::sample(int64_t now_ns) {
  health_sample s;
  s.time_ns = now_ns;
  s.process_cpu_percent = std::numeric_limits<double>::quiet_NaN();
  auto stat_text = slurp(proc_root_ + "/self/stat");
  auto stat = stat_text ? parse_proc_stat(*stat_text) : std::nullopt;
  if (stat) {
    auto ticks = stat->utime_ticks + stat->stime_ticks;
    if (has_last_ && now_ns > last_time_ns_ && ticks >= last_cpu_ticks_) {
      auto cpu_s = static_cast<double>(ticks - last_cpu_ticks_)
                   / static_cast<double>(ticks_per_second_);
      auto wall_s = static_cast<double>(now_ns - last_time_ns_) / 1e9;
      s.process_cpu_percent = 100.0 * cpu_s / wall_s;
    }
    last_cpu_ticks_ = ticks;
    last_time_ns_ = now_ns;
    has_last_ = true;
    s.process_threads = stat->threads;
    s.process_rss_bytes = stat->rss_pages * static_cast<uint64_t>(page_size_);
  } else {
    note_missing(s.missing, "self/stat");
  }
  std::error_code ec;
  uint64_t fds = 0;
  for (std::filesystem::directory_iterator it{proc_root_ + "/self/fd", ec}, end;
       !ec && it != end; it.increment(ec))
    ++fds;
  if (ec)
    note_missing(s.missing, "self/fd");
  else
    s.process_open_fds = fds;
  auto load_text = slurp(proc_root_ + "/loadavg");
  auto load = load_text ? parse_loadavg(*load_text) : std::nullopt;
  if (load)
    s.load = *load;
  else
    note_missing(s.missing, "loadavg");
  auto meminfo = slurp(proc_root_ + "/meminfo");
  auto available
    = meminfo ? parse_proc_field(*meminfo, "MemAvailable") : std::nullopt;
  auto total = meminfo ? parse_proc_field(*meminfo, "MemTotal") : std::nullopt;
  if (available && total) {
    s.memory_available_bytes = *available;
    s.memory_total_bytes = *total;
  } else {
    note_missing(s.missing, "meminfo");
  }
  struct statvfs fs {};
  if (!disk_path_.empty() && ::statvfs(disk_path_.c_str(), &fs) == 0) {
    s.disk_free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    s.disk_total_bytes = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  } else {
    note_missing(s.missing, "disk");
  }
  return s;
}

} // namespace argus
