#pragma once

// "Did you mean" for names people type: config keys, commands, flags.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace argus {

/// Levenshtein distance between `a` and `b`.
size_t edit_distance(std::string_view a, std::string_view b);

/// @returns the candidate closest to `name` if it is within two edits (a
///          typo, not another word), the first of equals.
std::optional<std::string>
closest_name(std::string_view name, const std::vector<std::string>& candidates);

} // namespace argus
