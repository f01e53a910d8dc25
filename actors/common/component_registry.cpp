#include "actors/common/component_registry.hpp"

#include "messages/codec.hpp"
#include "messages/error.hpp"

#include <algorithm>

namespace argus {

caf::error component_registry::add(component_spec spec) {
  if (spec.id.empty() || !spec.spawn)
    return caf::make_error(ec::invalid_argument,
                           "a component needs an id and a spawn function");
  for (const auto& s : specs_)
    if (s.id == spec.id)
      return caf::make_error(ec::invalid_argument,
                             "component " + spec.id + " is registered twice");
  specs_.push_back(std::move(spec));
  return caf::none;
}

namespace {

bool is_registered(const std::vector<component_spec>& specs,
                   const std::string& id) {
  return std::any_of(specs.begin(), specs.end(), [&](const auto& s) {
    return s.id == id;
  });
}

/// @returns an error if two components of `plan` take the same event.
caf::error check_takers(const component_plan& plan) {
  std::vector<const std::string*> taker(std::variant_size_v<inbound_event>,
                                        nullptr);
  for (const auto& spec : plan) {
    if (!spec.route)
      continue;
    for (auto i : spec.route()->takes()) {
      if (taker[i])
        return caf::make_error(ec::invalid_config,
                               "components " + *taker[i] + " and " + spec.id
                                 + " both take " + codec::type_name(i));
      taker[i] = &spec.id;
    }
  }
  return caf::none;
}

} // namespace

caf::expected<component_plan>
component_registry::plan(const config::engine_config& cfg) const {
  std::vector<const component_spec*> enabled;
  for (const auto& s : specs_) {
    for (const auto& dep : s.depends_on)
      if (!is_registered(specs_, dep))
        return caf::make_error(ec::invalid_config,
                               "component " + s.id + " depends on " + dep
                                 + ", which is not registered");
    // With monitoring off, nothing runs.
    if (cfg.enabled && (!s.enabled || s.enabled(cfg)))
      enabled.push_back(&s);
  }
  auto is_enabled = [&](const std::string& id) {
    return std::any_of(enabled.begin(), enabled.end(), [&](const auto* s) {
      return s->id == id;
    });
  };
  // Kahn's algorithm, taking the first ready component in registration
  // order each round, so the order is stable and dependencies come first.
  component_plan result;
  std::vector<bool> placed(enabled.size(), false);
  auto is_placed = [&](const std::string& id) {
    return std::any_of(result.begin(), result.end(), [&](const auto& s) {
      return s.id == id;
    });
  };
  while (result.size() < enabled.size()) {
    bool progress = false;
    for (size_t i = 0; i < enabled.size() && !progress; ++i) {
      if (placed[i])
        continue;
      const auto& deps = enabled[i]->depends_on;
      auto ready = std::all_of(deps.begin(), deps.end(), [&](const auto& d) {
        return !is_enabled(d) || is_placed(d);
      });
      if (ready) {
        placed[i] = true;
        result.push_back(*enabled[i]);
        progress = true;
      }
    }
    if (!progress) {
      std::string cycle;
      for (size_t i = 0; i < enabled.size(); ++i)
        if (!placed[i])
          cycle += (cycle.empty() ? "" : ", ") + enabled[i]->id;
      return caf::make_error(ec::invalid_config,
                             "components depend on each other in a cycle: "
                               + cycle);
    }
  }
  if (auto err = check_takers(result))
    return err;
  return result;
}

} // namespace argus
