#include "tools/argusctl/remote.hpp"

#include "messages/json_text.hpp"
#include "messages/utf8.hpp"
#include "runtime/gateway/json_body.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#include "tools/argusctl/common.hpp"
#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

namespace argus::ctl {

namespace {

using nlohmann::json;

/// Flags that only argusctl's side knows (with their value).
bool client_only_flag(const std::string& word) {
  for (const char* f : {"--server", "--token", "--ca-file", "--db", "--out"})
    if (word == f)
      return true;
  return false;
}

size_t append_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> unbase64(const std::string& text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(text.data()),
                           static_cast<int>(text.size()));
  if (n < 0)
    return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it)
    ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

void write_bytes(std::ostream& os, const std::string& bytes) {
  os.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

} // namespace

void add_all_commands(CLI::App& app, command_table& table,
                      const server_options* server) {
  add_status_commands(app, table);
  add_trace_commands(app, table);
  add_metrics_commands(app, table);
  add_ml_commands(app, table);
  add_tracking_commands(app, table);
  add_audit_commands(app, table);
  add_report_commands(app, table, server);
}

command_place place_of(const std::vector<std::string>& args) {
  if (args.empty())
    return command_place::local;
  const auto& name = args.front();
  if (name == "audit")
    return command_place::server_admin;
  // The report commands but history ask the report routes themselves.
  if (name == "reports")
    return args.size() > 1 && args[1] == "history" ? command_place::server
                                                   : command_place::local;
  for (const char* local :
       {"check-config", "drift-test", "detect", "follow", "top"})
    if (name == local)
      return command_place::local;
  return command_place::server;
}

std::string answer_json(const command_output& x) {
  json j{{"exit_code", x.exit_code}, {"stderr", x.err}};
  if (first_invalid_utf8(x.out)) {
    j["stdout"] = base64(x.out);
    j["stdout_encoding"] = "base64";
  } else {
    j["stdout"] = x.out;
  }
  return dump_json(j);
}

std::vector<std::string> forwarded_args(const std::vector<std::string>& argv,
                                        std::string& out_path) {
  std::vector<std::string> result;
  for (size_t i = 0; i < argv.size(); ++i) {
    const auto& word = argv[i];
    auto eq = word.find('=');
    auto flag = word.substr(0, eq);
    if (!client_only_flag(flag)) {
      result.push_back(word);
      continue;
    }
    std::string value;
    if (eq != std::string::npos)
      value = word.substr(eq + 1);
    else if (i + 1 < argv.size())
      value = argv[++i];
    if (flag == "--out")
      out_path = value;
  }
  return result;
}

std::string ask_server(const server_options& server, const std::string& path,
                       const std::string* post_json, std::string& answer,
                       long& status) {
  auto url = server.url;
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  url += path;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl{curl_easy_init(),
                                                           curl_easy_cleanup};
  if (!curl)
    return "cannot start an HTTP client (libcurl)";
  auto auth = "Authorization: Bearer " + server.token;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, auth.c_str());
  if (post_json)
    headers = curl_slist_append(headers, "Content-Type: application/json");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list{
    headers, curl_slist_free_all};
  auto* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (post_json) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_json->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(post_json->size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!server.ca_file.empty())
    curl_easy_setopt(c, CURLOPT_CAINFO, server.ca_file.c_str());
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  auto rc = curl_easy_perform(c);
  if (rc != CURLE_OK)
    return "cannot ask " + server.url + ": "
           + (error[0] ? std::string{error} : curl_easy_strerror(rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  return {};
}

int run_on_server(const server_options& server,
                  const std::vector<std::string>& args,
                  const std::string& out_path) {
  if (server.token.empty())
    return fail("--server needs a token: --token TOKEN or $ARGUS_TOKEN",
                exit_usage);
  auto body = dump_json(json{{"args", args}});
  std::string answer;
  long status = 0;
  if (auto why = ask_server(server, "/api/ctl", &body, answer, status);
      !why.empty())
    return fail(why);
  json doc;
  try {
    doc = json::parse(answer);
  } catch (const json::exception&) {
    return fail(server.url + " answered " + std::to_string(status)
                + " with a body that is not JSON (is it argusd?)");
  }
  if (status != 200) {
    auto detail = doc.value("detail", std::string{});
    return fail(server.url + " answered " + std::to_string(status) + " "
                + doc.value("title", std::string{})
                + (detail.empty() ? "" : ": " + detail));
  }
  std::string printed = doc.value("stdout", std::string{});
  if (doc.value("stdout_encoding", std::string{}) == "base64") {
    auto bytes = unbase64(printed);
    if (!bytes)
      return fail(server.url + " answered output that is not base64");
    printed = std::move(*bytes);
  }
  if (out_path.empty() || out_path == "-") {
    write_bytes(std::cout, printed);
  } else {
    std::ofstream file{out_path, std::ios::binary};
    write_bytes(file, printed);
    if (!file)
      return fail("cannot write " + out_path);
  }
  std::cout.flush();
  write_bytes(std::cerr, doc.value("stderr", std::string{}));
  return doc.value("exit_code", exit_failed);
}

command_output run_for_server(const std::vector<std::string>& args,
                              const std::string& db) {
  command_output result;
  captured_output capture;
  auto finish = [&](int code) {
    result.exit_code = code;
    result.out = capture.out();
    result.err = capture.err();
    return result;
  };
  if (args.empty())
    return finish(fail("no command given", exit_usage));
  if (place_of(args) == command_place::local)
    return finish(fail("'" + args.front()
                         + "' works on local files: run it without --server",
                       exit_usage));
  for (const auto& a : args) {
    auto flag = a.substr(0, a.find('='));
    if (client_only_flag(flag))
      return finish(fail(
        flag + " is argusctl's own and is not sent to a server", exit_usage));
  }
  CLI::App app{"argusctl"};
  command_table table;
  require_db(true);
  add_all_commands(app, table);
  // CLI11 takes the arguments last first.
  std::vector<std::string> reversed{"--db", db};
  reversed.insert(reversed.begin(), args.begin(), args.end());
  std::reverse(reversed.begin(), reversed.end());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return finish(fail(e.what(), exit_usage));
  }
  for (const auto& c : table)
    if (c.app->parsed()) {
      try {
        return finish(c.run());
      } catch (const std::exception& e) {
        return finish(fail(std::string{"the command failed: "} + e.what()));
      }
    }
  return finish(fail("no command given", exit_usage));
}

gateway::route ctl_route(std::string db) {
  using gateway::problem;
  gateway::route r;
  r.method = "POST";
  r.pattern = "/api/ctl";
  r.min_role = gateway::role::viewer;
  r.summary = "runs an argusctl read command here (`argusctl --server`); "
              "`audit` needs admin";
  r.handler = [db = std::move(db)](const gateway::request_context& ctx) {
    if (auto refused = gateway::refuse_media(ctx.req, ""))
      return *refused;
    gateway::http_response error;
    auto doc = gateway::parse_json_body(ctx.req, error);
    if (!doc)
      return error;
    auto args = doc->is_object() ? doc->find("args") : doc->end();
    if (args == doc->end() || !args->is_array())
      return problem(400, "Bad Request",
                     "the body is {\"args\": [\"command\", \"--flag\", ...]}");
    std::vector<std::string> words;
    for (const auto& a : *args) {
      if (!a.is_string())
        return problem(400, "Bad Request", "every argument must be a string");
      words.push_back(a.get<std::string>());
    }
    if (place_of(words) == command_place::server_admin
        && ctx.who.granted < gateway::role::admin)
      return problem(403, "Forbidden",
                     "'" + words.front() + "' needs the admin role; token '"
                       + ctx.who.name + "' has "
                       + gateway::to_string(ctx.who.granted));
    return gateway::json_response(answer_json(run_for_server(words, db)));
  };
  return r;
}

} // namespace argus::ctl
