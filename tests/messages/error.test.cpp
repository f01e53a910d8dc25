#include "messages/error.hpp"

#include "runtime/system.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <doctest/doctest.h>

using namespace argus;

TEST_CASE("every error code has a name") {
  // The enum has 22 enumerators; adding one without a name (or renaming one)
  // must fail here.
  int named = 0;
  for (int i = 0; i < 256; ++i)
    if (to_string(static_cast<ec>(i)).rfind("unknown(", 0) != 0)
      ++named;
  CHECK(named == 22);
  CHECK(to_string(ec::report_failed) == "report_failed");
  CHECK(to_string(ec::delivery_failed) == "delivery_failed");
  CHECK(to_string(ec::row_rejected) == "row_rejected");
  CHECK(to_string(ec::storage_busy) == "storage_busy");
  CHECK(to_string(ec::restart_limit_reached) == "restart_limit_reached");
  CHECK(to_string(static_cast<ec>(250)) == "unknown(250)");
}

TEST_CASE("argus errors render with their category, code and context") {
  caf::actor_system_config cfg;
  runtime::register_types(cfg);
  caf::actor_system sys{cfg};
  auto err = caf::make_error(ec::storage_full, "disk budget of 1 MiB");
  CHECK(err == ec::storage_full);
  auto text = sys.render(err);
  CHECK(text.find("argus::storage_full") != std::string::npos);
  CHECK(text.find("disk budget of 1 MiB") != std::string::npos);
}
