// argusctl audit verify --db FILE [-o table|json]
// argusctl audit list --db FILE [--since D] [--principal P] [--event E]
//                     [--status N] [--limit N] [-o table|json]

#include "storage/audit.hpp"

#include <iostream>
#include <memory>

#include "tools/argusctl/commands.hpp"
#include "tools/argusctl/common.hpp"
#include <nlohmann/json.hpp>

namespace argus::ctl {

namespace {

using nlohmann::json;

json link_json(const storage::audit_link& x) {
  return {{"id", x.id}, {"hash", x.hash}};
}

int verify(const std::string& db, const std::string& output) {
  auto reader = open_db(db);
  if (!reader)
    return exit_failed;
  auto v = storage::verify_audit_log(reader->db());
  if (!ok(v))
    return exit_failed;
  int code = v->ok() ? 0 : exit_audit_broken;
  if (structured(output)) {
    print_structured(json{{"ok", v->ok()},
                          {"rows", v->rows},
                          {"first_id", v->first_id},
                          {"last_id", v->last_id},
                          {"start", link_json(v->start)},
                          {"head", link_json(v->head)},
                          {"breaks", v->breaks},
                          {"problems", v->problems}},
                     output);
    return code;
  }
  if (v->ok()) {
    if (v->rows == 0)
      out() << "ok: the audit log is empty\n";
    else
      out() << "ok: " << v->rows << " rows, ids " << v->first_id << ".."
            << v->last_id << ", chain intact\n"
            << "head " << v->head.id << " " << v->head.hash << "\n";
    return code;
  }
  out() << "BROKEN: " << v->breaks << " break" << (v->breaks == 1 ? "" : "s")
        << " in " << v->rows << " rows\n";
  for (const auto& p : v->problems)
    out() << "  " << p << "\n";
  if (v->breaks > v->problems.size())
    out() << "  (and " << v->breaks - v->problems.size() << " more)\n";
  return code;
}

struct list_options {
  std::string db;
  std::string since;
  std::string principal;
  std::string event;
  int status = 0;
  size_t limit = 100;
  std::string output = "table";
};

int list(const list_options& o) {
  auto since = since_ns(o.since);
  if (!since)
    return exit_usage;
  auto reader = open_db(o.db);
  if (!reader)
    return exit_failed;
  storage::audit_query q;
  q.since_ns = *since;
  q.principal = o.principal;
  q.event = o.event;
  q.status = o.status;
  q.limit = o.limit;
  auto entries = storage::audit_entries(reader->db(), q);
  if (!ok(entries))
    return exit_failed;
  if (entries->empty())
    return nothing_yet_since("audit entries", o.since, o.output);
  if (structured(o.output)) {
    json rows = json::array();
    for (const auto& e : *entries) {
      const auto& r = e.record;
      rows.push_back({{"id", e.id},
                      {"time_ns", r.time_ns},
                      {"time", time_text(r.time_ns)},
                      {"event", r.event},
                      {"principal", r.principal},
                      {"role", r.role},
                      {"method", r.method},
                      {"route", r.route},
                      {"path", r.path},
                      {"status", r.status},
                      {"bytes_in", r.bytes_in},
                      {"bytes_out", r.bytes_out},
                      {"duration_ns", r.duration_ns},
                      {"peer", r.peer},
                      {"correlation_id", e.correlation_id},
                      {"detail", r.detail},
                      {"hash", e.hash}});
    }
    print_structured(rows, o.output);
  } else {
    text_table table{{"ID", "TIME", "EVENT", "PRINCIPAL", "ROLE", "METHOD",
                      "PATH", "STATUS", "BYTES", "DURATION", "PEER",
                      "CORRELATION ID", "DETAIL"}};
    for (const auto& e : *entries) {
      const auto& r = e.record;
      table.add(
        {std::to_string(e.id), time_text(r.time_ns), r.event,
         r.principal.empty() ? "-" : r.principal, r.role.empty() ? "-" : r.role,
         r.method, r.path, std::to_string(r.status), bytes_text(r.bytes_out),
         duration_text(r.duration_ns), r.peer, e.correlation_id, r.detail});
    }
    table.print(out());
  }
  note_if_cut(entries->size(), o.limit);
  return 0;
}

} // namespace

void add_audit_commands(CLI::App& app, command_table& table) {
  auto audit = app.add_subcommand(
    "audit", "the gateway's audit trail: who asked what, and its hash chain");
  audit->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>("table");
  auto v = audit->add_subcommand(
    "verify", "walk the hash chain; exit 4 if a row was changed, inserted or "
              "deleted");
  add_db(v, *db);
  add_output(v, *output);
  table.push_back({v, [db, output] {
                     return verify(*db, *output);
                   }});
  auto o = std::make_shared<list_options>();
  auto l = audit->add_subcommand("list", "audit entries, newest first");
  add_db(l, o->db);
  add_since(l, o->since);
  l->add_option("--principal", o->principal, "only this token's name");
  l->add_option("--event", o->event, "request or auth_failed")
    ->check(CLI::IsMember({"request", "auth_failed"}));
  l->add_option("--status", o->status,
                "only this status (e.g. 403), or a class (4: every 4xx)")
    ->check(CLI::Range(1, 599));
  add_limit(l, o->limit);
  add_output(l, o->output);
  table.push_back({l, [o] {
                     return list(*o);
                   }});
}

} // namespace argus::ctl
