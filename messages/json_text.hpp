#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace argus {

/// Serialises `j` as JSON text without ever throwing: a string with invalid
/// UTF-8 (an in-process caller's attribute, a hand-edited row) has each bad
/// byte replaced by U+FFFD instead of nlohmann's `type_error` escaping a
/// message handler or a command. Every JSON text argus writes goes through
/// here.
inline std::string dump_json(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace argus
