#include "runtime/system.hpp"

#include "messages/error.hpp"
#include "messages/interfaces.hpp"

#include <caf/atom.hpp>

#include <thread>

namespace argus::runtime {

void register_types(caf::actor_system_config& sys_cfg) {
  sys_cfg.add_message_types<caf::id_block::argus>();
  sys_cfg.add_message_type<storage_writer_actor>("argus::storage_writer_actor");
  sys_cfg.add_message_type<tracker_actor>("argus::tracker_actor");
  sys_cfg.add_message_type<supervisor_actor>("argus::supervisor_actor");
  sys_cfg.add_error_category(
    caf::atom("argus"),
    [](uint8_t code, caf::atom_value, const caf::message& context) {
      return render_error_code(code, context);
    });
}

void configure(caf::actor_system_config& sys_cfg,
               const config::runtime_config& cfg) {
  auto threads = cfg.threads;
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  sys_cfg.set("scheduler.max-threads", threads);
  register_types(sys_cfg);
}

} // namespace argus::runtime
