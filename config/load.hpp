#pragma once

#include "config/components.hpp"

#include <caf/expected.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace argus::config {

/// One problem in a configuration file, located by key path and position.
struct diagnostic {
  /// Dotted key path, e.g. `monitoring.metrics_dashboard.update_interval`.
  std::string path;
  /// 1-based line and column; 0 when the problem has no position (e.g. a
  /// missing section).
  int line = 0;
  int column = 0;
  std::string message;
};

/// Renders `path (line L, column C): message`.
std::string to_string(const diagnostic& x);

/// The outcome of loading: a config when there are no diagnostics.
struct load_result {
  std::optional<engine_config> config;
  std::vector<diagnostic> diagnostics;

  bool ok() const noexcept {
    return config.has_value();
  }
};

/// Looks an environment variable up; `std::nullopt` when unset.
using env_lookup
  = std::function<std::optional<std::string>(const std::string&)>;

/// Reads the process environment.
std::optional<std::string> process_env(const std::string& name);

/// Parses a YAML document whose `monitoring:` key holds the spec's tree.
/// Other top-level keys (the rest of the bot's config) are ignored; every key
/// under `monitoring:` must be known. `${VAR}` and `${VAR:-default}` are
/// expanded in every scalar. Anchors, aliases, nesting deeper than
/// `defaults::max_config_depth` and documents over
/// `defaults::max_config_file_bytes` are refused. All problems are reported,
/// not just the first.
load_result load_text(std::string_view yaml,
                      const env_lookup& env = process_env);

/// Reads `path` (at most `defaults::max_config_file_bytes`) and calls
/// `load_text`.
load_result load_file(const std::string& path,
                      const env_lookup& env = process_env);

/// `load_file` as an expected: the error's context lists every diagnostic.
caf::expected<engine_config> load(const std::string& path);

/// Parses a duration as the config does: seconds (`5`, `0.5`) or a number
/// with a unit (`250ms`, `5s`, `10m`, `1h`, `7d`).
std::optional<milliseconds> parse_duration(const std::string& text);

/// The effective configuration as JSON (secrets rendered as `***`).
nlohmann::json to_json(const engine_config& x);

} // namespace argus::config
