#pragma once

// argusctl against a running argusd. With `--server URL` (or
// $ARGUS_SERVER) a read command is sent, as its own arguments, to the
// server's `POST /api/ctl`; argusd runs the same command code against its
// database and answers with what it printed and its exit code. So a
// command's output is the same, byte for byte, whether it read the file or
// asked the server: one implementation, two places to run it.

#include "runtime/gateway/routes.hpp"

#include <string>
#include <vector>

#include "tools/argusctl/commands.hpp"

namespace argus::ctl {

struct server_options;

/// Every command of argusctl, added to `app`; those that ask a server
/// themselves (`reports list|schedule|generate`) ask `server`.
void add_all_commands(CLI::App& app, command_table& table,
                      const server_options* server = nullptr);

/// Where a command runs when argusctl has a server.
enum class command_place {
  /// Reads the database: on the server.
  server,
  /// Needs the admin role there (the audit trail).
  server_admin,
  /// Works on local files (check-config, drift-test, detect).
  local,
};

/// @returns where the command named first in `args` runs.
command_place place_of(const std::vector<std::string>& args);

struct server_options {
  std::string url;
  std::string token;
  /// A CA file for an https server's certificate (empty: the system's).
  std::string ca_file;
};

/// Asks `path` of the server (a GET, or a POST of `post_json` when given).
/// @returns empty with the body in `answer` and the status in `status`, or
///          why the server could not be asked.
std::string ask_server(const server_options& server, const std::string& path,
                       const std::string* post_json, std::string& answer,
                       long& status);

/// Adds `follow` and `top`, which run here and stream from `server`.
void add_live_commands(CLI::App& app, command_table& table,
                       const server_options& server);

/// Sends `args` to the server and prints what the command printed there
/// (its standard output to `out_path` when not empty). @returns its exit
/// code, or `exit_failed` after saying why the server was not asked.
int run_on_server(const server_options& server,
                  const std::vector<std::string>& args,
                  const std::string& out_path);

/// What a command printed, and its exit code.
struct command_output {
  int exit_code = 0;
  std::string out;
  std::string err;
};

/// The server side: runs the read command `args` against `db` on this
/// thread, its output captured. `args` may not name a database or a file
/// to write (`--db`, `--out`).
command_output run_for_server(const std::vector<std::string>& args,
                              const std::string& db);

/// @returns the route `POST /api/ctl` (viewer; `audit` needs admin), which
///          runs the commands `argusctl --server` sends against `db` on a
///          gateway worker.
gateway::route ctl_route(std::string db);

/// @returns the answer of `POST /api/ctl`: `exit_code`, `stdout` (base64
///          with `"stdout_encoding": "base64"` when it is not UTF-8 text,
///          e.g. `export --format msgpack`) and `stderr`.
std::string answer_json(const command_output& x);

/// @returns argv without `--server`, `--token`, `--ca-file`, `--db` and
///          `--out` (and their values), and the `--out` value in
///          `out_path`.
std::vector<std::string> forwarded_args(const std::vector<std::string>& argv,
                                        std::string& out_path);

} // namespace argus::ctl
