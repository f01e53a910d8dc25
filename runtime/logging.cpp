#include "runtime/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace argus::runtime {

log_hub::log_hub(spdlog::level::level_enum level,
                 std::vector<spdlog::sink_ptr> sinks)
    : level_(level), sinks_(std::move(sinks)) {
  if (sinks_.empty())
    sinks_.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
}

std::shared_ptr<spdlog::logger> log_hub::get(const std::string& id) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& slot = loggers_[id];
  if (!slot) {
    slot = std::make_shared<spdlog::logger>(id, sinks_.begin(), sinks_.end());
    slot->set_level(level_);
    slot->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  }
  return slot;
}

void log_hub::set_level(spdlog::level::level_enum level) {
  std::lock_guard<std::mutex> guard{mtx_};
  level_ = level;
  for (auto& [id, logger] : loggers_)
    logger->set_level(level);
}

spdlog::level::level_enum parse_log_level(const std::string& name) {
  if (name == "warning")
    return spdlog::level::warn;
  return spdlog::level::from_str(name);
}

} // namespace argus::runtime
