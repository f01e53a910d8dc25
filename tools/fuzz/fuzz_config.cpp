// libFuzzer harness: a hostile configuration file through the loader (the
// hostile-document scan, typed reading, environment expansion, validation)
// and, when it loads, the JSON dump `argusctl check-config -o json` prints.
// Never crashes, never throws; a loaded config passes `validate` and dumps.

#include "config/load.hpp"
#include "messages/json_text.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace argus;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOME")
      return std::string{"/home/bot"};
    if (name == "EMPTY")
      return std::string{};
    return std::nullopt;
  };
  auto result = config::load_text(text, env);
  if (result.ok()) {
    if (!config::validate(*result.config).empty())
      std::abort(); // loaded means valid
    static_cast<void>(dump_json(config::to_json(*result.config), 2));
  } else if (result.diagnostics.empty()) {
    std::abort(); // a refusal always says why
  }
  return 0;
}
