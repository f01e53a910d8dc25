#pragma once

#include <spdlog/common.h>
#include <spdlog/logger.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace argus::runtime {

/// Makes one named spdlog logger per component over shared sinks. Nothing is
/// registered in spdlog's global registry, so engines in one process (tests)
/// do not see each other's loggers.
class log_hub {
public:
  /// @param sinks where lines go; empty means standard error.
  explicit log_hub(spdlog::level::level_enum level,
                   std::vector<spdlog::sink_ptr> sinks = {});

  /// @returns the logger named `id`, creating it on first use.
  std::shared_ptr<spdlog::logger> get(const std::string& id);

  /// Changes the level of every logger, present and future.
  void set_level(spdlog::level::level_enum level);

private:
  std::mutex mtx_;
  spdlog::level::level_enum level_;
  std::vector<spdlog::sink_ptr> sinks_;
  std::map<std::string, std::shared_ptr<spdlog::logger>> loggers_;
};

/// Parses `trace`, `debug`, `info`, `warn`, `error`, `critical` or `off`.
spdlog::level::level_enum parse_log_level(const std::string& name);

} // namespace argus::runtime
