// argusctl: inspects argus databases and configurations.
//
//   argusctl status --db FILE [-o table|json]
//   argusctl check-config FILE [-o table|json]
//   argusctl trace CID --db FILE [-o table|json]
//   argusctl export CID --db FILE --format otlp|json|msgpack [--out FILE]
//   argusctl traces --db FILE (--slowest N | --errors | --latency)
//                   [--since DURATION] [-o table|json]
//   argusctl correlations stats --db FILE [-o table|json]
//   argusctl metrics list|get|--prom ..., health, trading (see
//            metrics_commands.hpp)
//   argusctl drift-test ..., detect ..., models, drift, model (see
//            ml_commands.hpp)
//   argusctl tracking regimes|ensembles|features|decisions (see
//            tracking_commands.hpp)
//
// Exit codes: 0 success, 1 the command failed (e.g. unreadable database),
// 2 invalid input (bad flags, config with errors).

#include "tools/argusctl/commands.hpp"
#include "tools/argusctl/common.hpp"

int main(int argc, char** argv) {
  using namespace argus::ctl;
  CLI::App app{"argusctl: inspect argus databases and configurations"};
  app.require_subcommand(1);
  command_table commands;
  add_status_commands(app, commands);
  add_trace_commands(app, commands);
  add_metrics_commands(app, commands);
  add_ml_commands(app, commands);
  add_tracking_commands(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    auto code = app.exit(e);
    return code == 0 ? 0 : exit_usage;
  }
  for (const auto& c : commands)
    if (c.app->parsed())
      return c.run();
  return exit_usage;
}
