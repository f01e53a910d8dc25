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
//   argusctl audit verify|list --db FILE (see audit_commands.cpp)
//   argusctl reports list|schedule|history|generate (see report_commands.cpp)
//   argusctl follow TOPIC [filters] [-o json], argusctl top: live, from
//            --server (see live_commands.cpp)
//
// With `--server URL` (or $ARGUS_SERVER) and `--token` (or $ARGUS_TOKEN)
// the read commands ask that running argusd instead (tools/argusctl/
// remote.hpp), with the same output. `--db` defaults to $ARGUS_DB. Exit codes:
// 0 success, 1 the command failed (e.g. unreadable database), 2 invalid input
// (bad flags, config with errors), 3 drift found (drift-test), 4 the audit
// chain is broken.

#include "messages/suggest.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "tools/argusctl/commands.hpp"
#include "tools/argusctl/common.hpp"
#include "tools/argusctl/remote.hpp"

namespace {

/// @returns the names `cmd`'s subcommands answer to.
std::vector<std::string> subcommand_names(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const auto* sub : cmd.get_subcommands({}))
    names.push_back(sub->get_name());
  return names;
}

/// @returns the long flags of the innermost subcommand that was parsed.
std::vector<std::string> flags_of_innermost(CLI::App& app) {
  CLI::App* cmd = &app;
  for (bool deeper = true; deeper;) {
    deeper = false;
    for (auto* sub : cmd->get_subcommands())
      if (sub->parsed()) {
        cmd = sub;
        deeper = true;
        break;
      }
  }
  std::vector<std::string> flags;
  for (const auto* opt : cmd->get_options())
    for (const auto& name : opt->get_lnames())
      flags.push_back("--" + name);
  return flags;
}

} // namespace

int main(int argc, char** argv) {
  using namespace argus::ctl;
  CLI::App app{"argusctl: inspect argus databases and configurations"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string{"argusctl "} + ARGUS_VERSION);
  // `--server` may come anywhere on the line: subcommands pass the flags
  // they do not know to this level.
  app.fallthrough();
  server_options server;
  app
    .add_option("--server", server.url,
                "ask this running argusd (http[s]://host:port) instead of "
                "reading --db (default: $ARGUS_SERVER)")
    ->envname("ARGUS_SERVER");
  app
    .add_option("--token", server.token,
                "bearer token for --server (default: $ARGUS_TOKEN)")
    ->envname("ARGUS_TOKEN");
  app
    .add_option("--ca-file", server.ca_file,
                "CA certificate for an https --server (default: "
                "$ARGUS_CA_FILE, else the system's)")
    ->envname("ARGUS_CA_FILE");
  std::vector<std::string> args{argv + 1, argv + argc};
  bool remote = std::getenv("ARGUS_SERVER") && *std::getenv("ARGUS_SERVER");
  for (const auto& a : args)
    remote = remote || a == "--server" || a.rfind("--server=", 0) == 0;
  // Asking a server, a command needs no --db.
  require_db(!remote);
  command_table commands;
  add_all_commands(app, commands, &server);
  add_live_commands(app, commands, server);
  // A word where the command belongs that names no command: say so, with
  // the nearest one (CLI11 alone would only say that one is required).
  if (argc > 1 && argv[1][0] != '-') {
    auto names = subcommand_names(app);
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      std::cerr << "argusctl: unknown command '" << argv[1] << "'";
      if (auto hint = argus::closest_name(argv[1], names))
        std::cerr << "; did you mean '" << *hint << "'?";
      std::cerr << "\nRun with --help for the commands.\n";
      return exit_usage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    auto code = app.exit(e);
    if (code == 0)
      return 0;
    // An unknown flag is reported as an extra argument, or hides behind a
    // required one it was meant to be: name the nearest flag either way.
    auto flags = flags_of_innermost(app);
    for (int i = 1; i < argc; ++i) {
      std::string word = argv[i];
      if (word.rfind("--", 0) != 0)
        continue;
      word = word.substr(0, word.find('='));
      if (std::find(flags.begin(), flags.end(), word) != flags.end())
        continue;
      if (auto hint = argus::closest_name(word, flags))
        std::cerr << "argusctl: unknown flag '" << word << "'; did you mean '"
                  << *hint << "'?\n";
    }
    return exit_usage;
  }
  std::string out_path;
  auto forwarded = forwarded_args(args, out_path);
  if (!server.url.empty() && place_of(forwarded) != command_place::local)
    return run_on_server(server, forwarded, out_path);
  for (const auto& c : commands)
    if (c.app->parsed())
      return c.run();
  return exit_usage;
}
