#pragma once

#include "config/components.hpp"

#include <caf/actor_system_config.hpp>

namespace argus::runtime {

/// Prepares an actor system config: scheduler threads from `cfg` (0: one per
/// core), the `argus` type-ID block and the error renderer. CAF never sees
/// the program's command line or reads `caf-application.ini`.
void configure(caf::actor_system_config& sys_cfg,
               const config::runtime_config& cfg);

/// Registers only the type IDs and the error renderer (test fixtures that
/// pick their own scheduler).
void register_types(caf::actor_system_config& sys_cfg);

} // namespace argus::runtime
